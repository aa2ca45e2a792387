import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DriftFrame, RawColumn } from '../monitoring/drift/detect-drift.js'
import { AppError } from '../shared/errors.js'
import { selectTrainingData } from './training-data.js'
import { splitRows } from './train-test-split.js'

const num = (...values: number[]) => ({ kind: 'numerical' as const, values: Float64Array.from(values), integer: values.every(Number.isInteger) })
const text = (...values: Array<string | null>) => ({ kind: 'categorical' as const, values })
const invalid = (pattern: RegExp) => (e: unknown) => e instanceof AppError && e.code === 'INVALID_PARAMETER_VALUE' && pattern.test(e.message)

describe('selectTrainingData', () => {
  it('should infer classification from a few integers and regression from decimals', () => {
    const frame: DriftFrame = new Map<string, RawColumn>([['a', num(1, 2, 3, 4)], ['y', num(0, 1, 1, 0)], ['z', num(0.5, 1.5, 2, 3)]])
    const classes = selectTrainingData(frame, { target: 'y', features: ['a'] })
    assert.equal(classes.task, 'classification')
    assert.deepEqual(classes.classes, { names: ['0', '1'], values: [0n, 1n] })
    assert.equal(selectTrainingData(frame, { target: 'z', features: ['a'] }).task, 'regression')
  })

  it('should refuse a text feature and name the column and the ways out', () => {
    const frame: DriftFrame = new Map<string, RawColumn>([['colour', text('red', 'blue')], ['y', num(0, 1)]])
    assert.throws(() => selectTrainingData(frame, { target: 'y' }), invalid(/Feature column 'colour' holds text \(e\.g\. 'red'\).*--features/))
  })

  it('should leave out rows with a missing target or feature and count them', () => {
    const frame: DriftFrame = new Map<string, RawColumn>([['a', num(1, NaN, 3, 4, 5)], ['y', text('x', 'y', null, 'x', 'y')]])
    const data = selectTrainingData(frame, { target: 'y' })
    assert.equal(data.droppedRows, 2)
    assert.deepEqual([...data.features.columns[0]!], [1, 4, 5])
    assert.deepEqual([...data.target], [0, 0, 1])
  })

  it('should say which columns exist when the target is unknown', () => {
    const frame: DriftFrame = new Map<string, RawColumn>([['a', num(1, 2)]])
    assert.throws(() => selectTrainingData(frame, { target: 'label' }), invalid(/no target column 'label'; its columns are a/))
  })
})

describe('splitRows', () => {
  it('should hold out the rounded-up share, the same rows for the same seed', () => {
    const split = splitRows(10, 0.25, 1)
    assert.equal(split.test.length, 3)
    assert.equal(split.train.length, 7)
    assert.deepEqual([...new Set([...split.train, ...split.test])].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert.deepEqual(splitRows(10, 0.25, 1), split)
    assert.notDeepEqual(splitRows(10, 0.25, 2).test, split.test)
  })
})
