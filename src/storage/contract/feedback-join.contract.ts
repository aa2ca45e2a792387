import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { FeedbackService } from '../../monitoring/feedback-service.js'
import { PerformanceService } from '../../monitoring/performance/performance-service.js'
import { DAY_MS } from '../../monitoring/performance/windows.js'
import type { PredictionLog, PredictionLogStore } from '../../monitoring/prediction-log-store.js'
import { SqlFeedbackStore } from '../sql/sql-feedback-store.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import type { TestBackend } from './test-databases.js'

const T0 = Date.UTC(2026, 8, 1)

/** Makes the prediction log store under test on an open, migrated database. */
export type LogStoreFactory = (database: SqlDatabase) => PredictionLogStore

function log(id: string, time: number, labels: number[], deployment?: string): PredictionLog {
  return {
    predictionId: id,
    model: 'fraud',
    version: '7',
    ...(deployment === undefined ? {} : { deployment }),
    time,
    rows: labels.length,
    inputs: { amount: labels.map((_, r) => 10 * r) },
    outputs: { label: labels, 'probabilities[0]': labels.map((l) => (l ? 0.2 : 0.7)), 'probabilities[1]': labels.map((l) => (l ? 0.8 : 0.3)) },
    latencyMs: 1,
  }
}

/**
 * Feedback joined to a PredictionLogStore and read back as performance, on every backend: the
 * path from logged prediction to late label to window, whichever log store is plugged in.
 */
export function describeFeedbackJoin(backend: TestBackend, storeName: string, makeLogs: LogStoreFactory): void {
  describe(`${backend.name}: feedback joined to ${storeName}`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let feedback: FeedbackService
    let performance: PerformanceService
    let now = T0 + 30 * DAY_MS
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      const logs = makeLogs(opened.database)
      const store = new SqlFeedbackStore(opened.database)
      feedback = new FeedbackService({ logs, feedback: store, clock: { now: () => now } })
      performance = new PerformanceService({ logs, feedback: store, clock: { now: () => now } })
      await logs.appendBatch([
        log('day0-a', T0 + 1, [1], 'fraud-api'),
        log('day0-b', T0 + 2, [0, 1, 1], 'fraud-api'),
        log('day1-a', T0 + DAY_MS + 5, [0], 'fraud-api'),
        log('direct', T0 + DAY_MS + 6, [1]),
      ])
    })
    after(() => cleanup())

    it('should store known labels, report unknown ones, and refuse a wrong arity naming the id', async () => {
      const result = await feedback.submit([
        { predictionId: 'day0-a', label: 0 },
        { predictionId: 'day0-b', label: [0, 1, 0] },
        { predictionId: 'nope', label: 1 },
      ])
      assert.deepEqual(result, { accepted: 2, unknownCount: 1, unknownIds: ['nope'] })
      await assert.rejects(feedback.submit([{ predictionId: 'day0-b', label: 1 }]), /'day0-b'.*3 rows/)
    })

    it("should count a label sent days later in its prediction's window, the latest label winning", async () => {
      now += 3 * DAY_MS
      await feedback.submit([{ predictionId: 'day1-a', label: 1 }, { predictionId: 'day0-a', label: 1 }])
      const report = await performance.performance({ deployment: 'fraud-api', windowMs: DAY_MS, startTime: T0, endTime: T0 + 2 * DAY_MS })
      assert.deepEqual(report.windows.map((w) => [w.predictions, w.labeled]), [[4, 4], [1, 1]])
      // Day 0: a (1 → 1), b rows (0 → 0, 1 → 1, 1 vs actual 0); day 1: 0 vs actual 1.
      assert.equal(report.windows[0]!.metrics.accuracy, 3 / 4)
      assert.equal(report.windows[1]!.metrics.accuracy, 0)
      assert.ok(report.windows.every((w) => typeof w.estimated.accuracy === 'number'))
    })

    it('should keep a deployment and a direct call to the same model apart', async () => {
      const byModel = await performance.performance({ model: 'fraud', version: '7', windowMs: DAY_MS, startTime: T0 + DAY_MS, endTime: T0 + 2 * DAY_MS })
      assert.equal(byModel.windows[0]!.predictions, 2)
    })
  })
}
