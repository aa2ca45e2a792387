import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { detectLayout } from './output-layout.js'
import { DAY_MS, HOUR_MS, parseWindow, windowStart, windowStarts } from './windows.js'

describe('output layout detection', () => {
  it("should read sklearn-onnx's label and probabilities[i] in index order", () => {
    const layout = detectLayout({ label: [1], 'probabilities[1]': [0.7], 'probabilities[0]': [0.3] })
    assert.deepEqual(layout, { task: 'classification', predictionColumn: 'label', probabilityColumns: ['probabilities[0]', 'probabilities[1]'] })
  })

  it('should read output_label with output_probability[i]', () => {
    const layout = detectLayout({ output_label: ['a'], 'output_probability[0]': [0.1], 'output_probability[1]': [0.9] })
    assert.deepEqual([layout.predictionColumn, layout.probabilityColumns], ['output_label', ['output_probability[0]', 'output_probability[1]']])
  })

  it('should take a single numeric output as a regression value', () => {
    assert.deepEqual(detectLayout({ variable: [3.5, 1.25] }), { task: 'regression', predictionColumn: 'variable', probabilityColumns: [] })
  })

  it('should take a single string output as a predicted class', () => {
    assert.equal(detectLayout({ out: ['cat'] }).task, 'classification')
  })

  it('should let explicit options win over detection', () => {
    const layout = detectLayout({ y: [1], p: [0.8], other: [2] }, { task: 'classification', predictionColumn: 'y', probabilityColumns: ['p'], classes: ['1'] })
    assert.deepEqual(layout, { task: 'classification', predictionColumn: 'y', probabilityColumns: ['p'], classes: ['1'] })
  })

  it('should name the outputs when it cannot tell or a named column is missing', () => {
    const code = (f: () => unknown) => assert.throws(f, (e: AppError) => e.code === 'INVALID_PARAMETER_VALUE' && /a, b/.test(e.message))
    code(() => detectLayout({ a: [1], b: [2] }, { task: 'regression' }))
    code(() => detectLayout({ a: [1], b: [2] }, { predictionColumn: 'c' }))
  })
})

describe('windows', () => {
  it('should parse hour, day, milliseconds and units', () => {
    assert.deepEqual(['hour', 'day', '900000', '15m', '6h', '7d', undefined].map((w) => parseWindow(w)), [HOUR_MS, DAY_MS, 900_000, 900_000, 6 * HOUR_MS, 7 * DAY_MS, DAY_MS])
  })

  it('should refuse windows under a minute or not a length', () => {
    for (const bad of ['59s', '0', 'week', '-5', '1.5h']) assert.throws(() => parseWindow(bad), (e: AppError) => e.code === 'INVALID_PARAMETER_VALUE')
  })

  it('should align windows to UTC hours and days', () => {
    const t = Date.UTC(2026, 2, 14, 15, 42, 7)
    assert.equal(windowStart(t, DAY_MS), Date.UTC(2026, 2, 14))
    assert.equal(windowStart(t, HOUR_MS), Date.UTC(2026, 2, 14, 15))
    assert.deepEqual(windowStarts(Date.UTC(2026, 2, 14, 23, 30), Date.UTC(2026, 2, 15, 1, 10), HOUR_MS), [Date.UTC(2026, 2, 14, 23), Date.UTC(2026, 2, 15, 0), Date.UTC(2026, 2, 15, 1)])
  })

  it('should refuse more than 10,000 windows', () => {
    assert.throws(() => windowStarts(0, 10_001 * HOUR_MS, HOUR_MS), (e: AppError) => /10000/.test(e.message))
  })
})
