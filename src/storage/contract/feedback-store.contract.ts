import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FeedbackStore, PredictionFeedback } from '../../monitoring/feedback-store.js'
import { AppError } from '../../shared/errors.js'
import { SqlFeedbackStore } from '../sql/sql-feedback-store.js'
import type { TestBackend } from './test-databases.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 0, 5)

function feedback(id: string, label: PredictionFeedback['label'], hour: number, extra: Partial<PredictionFeedback> = {}): PredictionFeedback {
  return { predictionId: id, label, predictionTime: T0 + hour * HOUR, model: 'churn', version: '1', deployment: 'churn-api', receivedAt: T0 + 48 * HOUR, ...extra }
}

/** The feedback store, on every backend. */
export function describeFeedbackStore(backend: TestBackend): void {
  describe(`${backend.name}: FeedbackStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: FeedbackStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlFeedbackStore(opened.database)
    })
    after(() => cleanup())

    it('should store scalar, array, string and null labels and read them back by id', async () => {
      await store.upsertBatch([
        feedback('p1', 1, 0),
        feedback('p2', [0, 1, null], 1),
        feedback('p3', 'spam', 2, { deployment: undefined, version: '2' }),
        feedback('p4', 3.25, 3, { model: 'price' }),
      ])
      const got = await store.getMany(['p3', 'p1', 'p2', 'p4', 'nope', 'p1'])
      const byId = new Map(got.map((f) => [f.predictionId, f]))
      assert.equal(got.length, 4)
      assert.deepEqual(byId.get('p1'), feedback('p1', 1, 0))
      assert.deepEqual(byId.get('p2')!.label, [0, 1, null])
      assert.equal(byId.get('p3')!.deployment, undefined)
      assert.equal(byId.get('p4')!.label, 3.25)
    })

    it('should let a later label for the same prediction replace the earlier one', async () => {
      await store.upsertBatch([feedback('p1', 0, 0, { receivedAt: T0 + 72 * HOUR })])
      const [p1] = await store.getMany(['p1'])
      assert.deepEqual([p1!.label, p1!.receivedAt], [0, T0 + 72 * HOUR])
    })

    it('should keep the last label of an id sent twice in one batch', async () => {
      await store.upsertBatch([feedback('p5', 'a', 4), feedback('p5', 'b', 4)])
      assert.equal((await store.getMany(['p5']))[0]!.label, 'b')
    })

    it('should list by model, version, deployment and prediction time, oldest prediction first, in pages', async () => {
      const churn = await store.list({ model: 'churn', maxResults: 10 })
      assert.deepEqual(churn.items.map((f) => f.predictionId), ['p1', 'p2', 'p3', 'p5'])
      const v1 = await store.list({ model: 'churn', version: '1', deployment: 'churn-api', startTime: T0 + HOUR, endTime: T0 + 5 * HOUR, maxResults: 10 })
      assert.deepEqual(v1.items.map((f) => f.predictionId), ['p2', 'p5'])
      const first = await store.list({ maxResults: 2 })
      assert.ok(first.nextPageToken)
      const second = await store.list({ maxResults: 2, pageToken: first.nextPageToken })
      const third = await store.list({ maxResults: 2, pageToken: second.nextPageToken })
      assert.deepEqual([...first.items, ...second.items, ...third.items].map((f) => f.predictionId), ['p1', 'p2', 'p3', 'p4', 'p5'])
      assert.equal(third.nextPageToken, undefined)
    })

    it('should refuse a page token it did not make with INVALID_PARAMETER_VALUE', async () => {
      await assert.rejects(store.list({ maxResults: 2, pageToken: 'not-a-token' }), (e: AppError) => e.code === 'INVALID_PARAMETER_VALUE')
    })

    it('should store a batch larger than one statement carries, all of it', async () => {
      const many = Array.from({ length: 2500 }, (_, i) => feedback(`bulk-${i}`, i % 2, 10 + (i % 5), { model: 'bulk' }))
      await store.upsertBatch(many)
      const got = await store.getMany(many.map((f) => f.predictionId))
      assert.equal(got.length, 2500)
    })

    it('should store nothing of a batch that fails part way', async () => {
      const bad = [feedback('atomic-1', 1, 0), feedback('atomic-2', 1, 0, { model: null as unknown as string })]
      await assert.rejects(store.upsertBatch(bad))
      assert.deepEqual(await store.getMany(['atomic-1']), [])
    })

    it('should delete feedback on predictions older than a time and say how many', async () => {
      assert.equal(await store.deleteOlderThan(T0 + 2 * HOUR), 2)
      assert.deepEqual((await store.getMany(['p1', 'p2', 'p3'])).map((f) => f.predictionId), ['p3'])
    })
  })
}
