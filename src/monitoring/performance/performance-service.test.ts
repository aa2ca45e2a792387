import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Registry } from 'prom-client'
import { AppError } from '../../shared/errors.js'
import { openSqliteDatabase } from '../../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlFeedbackStore } from '../../storage/sql/sql-feedback-store.js'
import { MemoryPredictionLogStore } from '../../testing/memory-prediction-log-store.js'
import { seededRandom } from '../../testing/seeded-random.js'
import { feedbackCounter } from '../feedback-metrics.js'
import { FeedbackService } from '../feedback-service.js'
import type { PredictionLog } from '../prediction-log-store.js'
import { classificationMetrics } from './classification-metrics.js'
import { PerformanceService } from './performance-service.js'
import { regressionMetrics } from './regression-metrics.js'
import { DAY_MS, HOUR_MS } from './windows.js'

const T0 = Date.UTC(2026, 4, 1)

function classifierLog(id: string, time: number, scores: number[], extra: Partial<PredictionLog> = {}): PredictionLog {
  return {
    predictionId: id,
    model: 'churn',
    version: '1',
    deployment: 'churn-api',
    time,
    rows: scores.length,
    inputs: { x: scores.map((s) => s * 10) },
    outputs: { label: scores.map((s) => (s >= 0.5 ? 1 : 0)), 'probabilities[0]': scores.map((s) => 1 - s), 'probabilities[1]': scores },
    latencyMs: 1,
    ...extra,
  }
}

async function codeOf(promise: Promise<unknown>): Promise<[string | undefined, string]> {
  return promise.then(() => [undefined, ''], (e: AppError) => [e.code, e.message])
}

describe('feedback and performance over time', () => {
  let database: SqlDatabase
  let logs: MemoryPredictionLogStore
  let feedback: FeedbackService
  let performance: PerformanceService
  const registry = new Registry()
  let now = T0 + 10 * DAY_MS
  const clock = { now: () => now }
  /** Labels the test sent, by id, to recompute the expected metrics independently. */
  const truth = new Map<string, number>()
  const random = seededRandom(17)

  before(async () => {
    database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
    logs = new MemoryPredictionLogStore()
    const store = new SqlFeedbackStore(database)
    feedback = new FeedbackService({ logs, feedback: store, counter: feedbackCounter(registry), clock })
    performance = new PerformanceService({ logs, feedback: store, clock })
    // Three days of one-row predictions, 200 a day; a failed request each day.
    const batch: PredictionLog[] = []
    for (let day = 0; day < 3; day++) {
      for (let k = 0; k < 200; k++) batch.push(classifierLog(`d${day}-${k}`, T0 + day * DAY_MS + k * 60_000, [random()]))
      batch.push({ ...classifierLog(`d${day}-failed`, T0 + day * DAY_MS, [0]), outputs: {}, error: 'BAD_REQUEST' })
    }
    await logs.appendBatch(batch)
  })
  after(() => database.close())

  it('should store matched labels and count and report unknown ids', async () => {
    const items = []
    for (let day = 0; day < 2; day++) {
      for (let k = 0; k < 200; k++) {
        const id = `d${day}-${k}`
        const score = (await logs.getMany([id]))[0]!.outputs['probabilities[1]']![0] as number
        const label = random() < score ? 1 : 0
        truth.set(id, label)
        items.push({ predictionId: id, label })
      }
    }
    items.push({ predictionId: 'never-logged', label: 1 }, { predictionId: 'also-unknown', label: 0 })
    const result = await feedback.submit(items)
    assert.deepEqual(result, { accepted: 400, unknownCount: 2, unknownIds: ['never-logged', 'also-unknown'] })
    const text = await registry.metrics()
    assert.match(text, /plinth_feedback_total\{outcome="matched"\} 400/)
    assert.match(text, /plinth_feedback_total\{outcome="unknown"\} 2/)
  })

  it('should refuse a label whose arity differs from the prediction, naming the id, and store nothing', async () => {
    await logs.appendBatch([classifierLog('multi', T0 + 5 * HOUR_MS, [0.2, 0.9, 0.6])])
    const [code, message] = await codeOf(feedback.submit([{ predictionId: 'd2-0', label: 1 }, { predictionId: 'multi', label: [1, 0] }]))
    assert.equal(code, 'INVALID_PARAMETER_VALUE')
    assert.match(message, /feedback\[1\].*'multi'.*3 rows/)
    const [scalar] = await codeOf(feedback.submit([{ predictionId: 'multi', label: 1 }]))
    assert.equal(scalar, 'INVALID_PARAMETER_VALUE')
    const report = await performance.performance({ deployment: 'churn-api', windowMs: DAY_MS, startTime: T0, endTime: T0 + 3 * DAY_MS })
    assert.equal(report.windows[2]!.labeled, 0, 'd2-0 must not have been stored')
  })

  it('should refuse empty, missing, non-finite and oversized input', async () => {
    const cases: Array<[unknown[], RegExp]> = [
      [[], /No feedback/],
      [[{ predictionId: '', label: 1 }], /prediction_id/],
      [[{ predictionId: 'd0-0' }], /Missing 'label'/],
      [[{ predictionId: 'd0-0', label: Number.POSITIVE_INFINITY }], /finite/],
      [[{ predictionId: 'd0-0', label: { a: 1 } }], /number, a string or a boolean/],
      [[{ predictionId: 'd0-0', label: [] }], /empty array/],
      [Array.from({ length: 10_001 }, (_, i) => ({ predictionId: `x${i}`, label: 1 })), /at most 10000/],
    ]
    for (const [items, message] of cases) {
      const [code, text] = await codeOf(feedback.submit(items as never))
      assert.equal(code, 'INVALID_PARAMETER_VALUE', text)
      assert.match(text, message)
    }
  })

  it('should count late labels in the window of their prediction, per row of a multi-row prediction', async () => {
    now += 5 * DAY_MS
    await feedback.submit([{ predictionId: 'multi', label: [0, 1, null] }])
    const report = await performance.performance({ deployment: 'churn-api', windowMs: DAY_MS, startTime: T0, endTime: T0 + 3 * DAY_MS })
    assert.deepEqual(report.windows.map((w) => [w.startTime, w.predictions, w.labeled]), [
      [T0, 203, 202],
      [T0 + DAY_MS, 200, 200],
      [T0 + 2 * DAY_MS, 200, 0],
    ])
  })

  it('should give realized metrics equal to the metrics of the joined rows, and CBPE estimates in every window', async () => {
    const report = await performance.performance({ model: 'churn', version: '1', windowMs: DAY_MS, startTime: T0 + DAY_MS, endTime: T0 + 3 * DAY_MS })
    assert.deepEqual(report.layout, { task: 'classification', predictionColumn: 'label', probabilityColumns: ['probabilities[0]', 'probabilities[1]'], classes: ['0', '1'], positiveClass: '1' })
    const day1 = (await logs.list({ startTime: T0 + DAY_MS, endTime: T0 + 2 * DAY_MS, maxResults: 1000 })).items.filter((l) => !l.error)
    const scores = day1.map((l) => l.outputs['probabilities[1]']![0] as number)
    const expected = classificationMetrics(
      { actual: day1.map((l) => String(truth.get(l.predictionId))), predicted: day1.map((l) => String(l.outputs['label']![0])), probabilities: new Map([['0', scores.map((s) => 1 - s)], ['1', scores]]) },
      { positiveClass: '1', classes: ['0', '1'] },
    )
    assert.deepEqual(report.windows[0]!.metrics, expected)
    assert.deepEqual(report.windows[1]!.metrics, {})
    for (const w of report.windows) {
      assert.equal(w.task, 'classification')
      assert.ok(w.estimated.accuracy! > 0.5 && w.estimated.accuracy! < 1, JSON.stringify(w.estimated))
      // Uniform scores labeled by their own probability are calibrated: the estimate should be close.
    }
    assert.ok(Math.abs(report.windows[0]!.estimated.accuracy! - expected.accuracy) < 0.1)
  })

  it('should answer every window of the range, empty ones included, by the hour', async () => {
    const report = await performance.performance({ deployment: 'churn-api', windowMs: HOUR_MS, startTime: T0 + 2 * DAY_MS - 2 * HOUR_MS, endTime: T0 + 2 * DAY_MS + 2 * HOUR_MS })
    assert.deepEqual(report.windows.map((w) => w.predictions), [0, 0, 60, 60])
    assert.deepEqual(report.windows[0]!.metrics, {})
  })

  it('should window a regressor and calculate MAE, RMSE, MAPE and R²', async () => {
    const price = (id: string, time: number, value: number): PredictionLog => ({ predictionId: id, model: 'price', version: '2', time, rows: 1, inputs: {}, outputs: { variable: [value] }, latencyMs: 1 })
    await logs.appendBatch([price('r1', T0, 10), price('r2', T0 + 1, 20), price('r3', T0 + HOUR_MS, 30), price('r4', T0 + HOUR_MS + 1, 44)])
    await feedback.submit([{ predictionId: 'r1', label: 12 }, { predictionId: 'r2', label: 18 }, { predictionId: 'r3', label: 30 }, { predictionId: 'r4', label: 40 }])
    const report = await performance.performance({ model: 'price', windowMs: HOUR_MS, startTime: T0, endTime: T0 + 2 * HOUR_MS })
    assert.equal(report.layout?.task, 'regression')
    assert.deepEqual(report.windows.map((w) => w.metrics), [regressionMetrics([12, 18], [10, 20]), regressionMetrics([30, 40], [30, 44])])
  })

  it('should predict the most probable class for a model that only gives probabilities', async () => {
    const log = (id: string, p: number[]): PredictionLog => ({ predictionId: id, model: 'iris', version: '1', time: T0, rows: 1, inputs: {}, outputs: { 'probabilities[0]': [p[0]!], 'probabilities[1]': [p[1]!], 'probabilities[2]': [p[2]!] }, latencyMs: 1 })
    await logs.appendBatch([log('i1', [0.7, 0.2, 0.1]), log('i2', [0.1, 0.8, 0.1]), log('i3', [0.2, 0.3, 0.5])])
    await feedback.submit([{ predictionId: 'i1', label: 0 }, { predictionId: 'i2', label: 2 }, { predictionId: 'i3', label: 2 }])
    const [w] = (await performance.performance({ model: 'iris', windowMs: DAY_MS, startTime: T0, endTime: T0 + DAY_MS })).windows
    assert.equal(w!.metrics.accuracy, 2 / 3)
    assert.deepEqual(w!.metrics.confusion_matrix, { labels: ['0', '1', '2'], matrix: [[1, 0, 0], [0, 0, 0], [0, 1, 1]] })
    assert.ok(w!.estimated.accuracy! > 0 && w!.metrics.roc_auc !== undefined)
  })

  it('should refuse a query without a model or deployment, or with a reversed range', async () => {
    assert.equal((await codeOf(performance.performance({ windowMs: DAY_MS })))[0], 'INVALID_PARAMETER_VALUE')
    assert.equal((await codeOf(performance.performance({ model: 'churn', windowMs: DAY_MS, startTime: T0, endTime: T0 })))[0], 'INVALID_PARAMETER_VALUE')
  })

  it('should default to the 30 windows before now', async () => {
    const report = await performance.performance({ model: 'nothing-logged', windowMs: DAY_MS })
    assert.equal(report.windows.length, 30)
    assert.ok(report.windows.every((w) => w.predictions === 0))
    assert.equal(report.windows.at(-1)!.endTime, Math.floor((now - 1) / DAY_MS) * DAY_MS + DAY_MS)
  })
})
