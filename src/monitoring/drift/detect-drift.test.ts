import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { csvToDriftFrame } from './csv-frame.js'
import { detectDrift, type DriftFrame, type RawColumn } from './detect-drift.js'
import { seededRandom, normal } from './drift-test-data.test-helper.js'

function numbers(n: number, make: (i: number) => number): RawColumn {
  return { kind: 'numerical', values: Float64Array.from({ length: n }, (_, i) => make(i)) }
}

function frame(columns: Record<string, RawColumn>): DriftFrame {
  return new Map(Object.entries(columns))
}

describe('detectDrift', () => {
  it('should pick the default test from column type, distinct values and reference size', () => {
    const random = seededRandom(7)
    const build = (n: number): DriftFrame =>
      frame({
        wide: numbers(n, () => normal(random)),
        few: numbers(n, (i) => i % 4),
        binary: numbers(n, (i) => i % 2),
        cat: { kind: 'categorical', values: Array.from({ length: n }, (_, i) => ['x', 'y', 'z'][i % 3]!) },
      })
    const small = detectDrift(build(1000), build(50)).columns.map((c) => c.test)
    const large = detectDrift(build(1001), build(50)).columns.map((c) => c.test)
    assert.deepEqual(small, ['ks', 'chisquare', 'z', 'chisquare'])
    assert.deepEqual(large, ['wasserstein', 'jensenshannon', 'jensenshannon', 'jensenshannon'])
  })

  it('should drop and count NaN and ±Infinity before testing', () => {
    const ref = frame({ x: { kind: 'numerical', values: Float64Array.from([1, 2, NaN, 3, Infinity, 4, 5, 6]) } })
    const cur = frame({ x: { kind: 'numerical', values: Float64Array.from([-Infinity, 1, 2, 3, 4, 5, 6]) } })
    const [column] = detectDrift(ref, cur).columns
    assert.deepEqual([column!.dropped_reference, column!.dropped_current, column!.score], [2, 1, 1])
  })

  it('should report dataset drift when the drifted share reaches drift_share', () => {
    const ref = frame({ a: numbers(200, (i) => i), b: numbers(200, (i) => i) })
    const cur = frame({ a: numbers(200, (i) => i + 150), b: numbers(200, (i) => i) })
    const report = detectDrift(ref, cur)
    assert.deepEqual([report.drifted, report.share, report.dataset_drift], [1, 0.5, true])
    assert.equal(detectDrift(ref, cur, { driftShare: 0.6 }).dataset_drift, false)
  })

  it('should apply a forced method and threshold to every column', () => {
    const ref = frame({ a: numbers(200, (i) => i) })
    const cur = frame({ a: numbers(200, (i) => i + 20) })
    const [column] = detectDrift(ref, cur, { method: 'psi', threshold: 10 }).columns
    assert.deepEqual([column!.test, column!.threshold, column!.drift], ['psi', 10, false])
  })

  it('should return INVALID_PARAMETER_VALUE when the current data lacks a column', () => {
    assert.throws(() => detectDrift(frame({ a: numbers(3, (i) => i) }), frame({})), { code: 'INVALID_PARAMETER_VALUE' })
  })

  it('should report a NaN score and no drift when one side has no usable values', () => {
    const [column] = detectDrift(frame({ a: numbers(3, (i) => i) }), frame({ a: numbers(3, () => NaN) })).columns
    assert.ok(Number.isNaN(column!.score))
    assert.equal(column!.drift, false)
  })
})

describe('csvToDriftFrame', () => {
  it('should type columns as pandas read_csv does', () => {
    const parsed = csvToDriftFrame('a,b,c,d\n1,1.5,x,"q,1"\n2,NA,y,\n3,inf,1,z\n')
    assert.deepEqual([...parsed.values()].map((c) => [c.kind, c.kind === 'numerical' && c.integer]), [
      ['numerical', true],
      ['numerical', false],
      ['categorical', false],
      ['categorical', false],
    ])
    const d = parsed.get('d')!
    assert.deepEqual(d.values, ['q,1', null, 'z'])
  })
})
