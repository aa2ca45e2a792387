import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { PredictionLog, PredictionLogStore } from '../../monitoring/prediction-log-store.js'
import type { AppError } from '../../shared/errors.js'
import { SqlPredictionLogStore } from '../sql/sql-prediction-log-store.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import type { TestBackend } from './test-databases.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 10, 20, 23, 59, 0)

function log(id: string, time: number, extra: Partial<PredictionLog> = {}): PredictionLog {
  return {
    predictionId: id,
    model: 'churn',
    version: '3',
    time,
    rows: 2,
    inputs: { 'x[0]': [1.5, 2], 'x[1]': [null, -3], city: ['Oslo', 'Lyon'] },
    outputs: { label: [true, false] },
    latencyMs: 0.75,
    ...extra,
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(() => undefined, (e: AppError) => e.code)
}

/** The prediction log store on every backend. */
export function describePredictionLogStore(backend: TestBackend): void {
  describe(`${backend.name}: PredictionLogStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let database: SqlDatabase
    let store: PredictionLogStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      database = opened.database
      store = new SqlPredictionLogStore(database)
    })
    after(() => cleanup())

    it('should store a batch and read every field back', async () => {
      const failed = log('p-2', T0 + 1, { deployment: 'churn-api', outputs: {}, error: 'INVALID_PARAMETER_VALUE' })
      await store.appendBatch([log('p-1', T0), failed])
      const page = await store.list({ model: 'churn', maxResults: 10 })
      assert.deepEqual(page.items, [log('p-1', T0), failed])
      assert.equal(page.nextPageToken, undefined)
    })

    it('should skip ids already stored, also when retried with another time', async () => {
      await store.appendBatch([log('p-1', T0 + 5 * DAY, { rows: 9 }), log('p-3', T0 + 2), log('p-3', T0 + 3, { rows: 7 })])
      const all = await store.list({ maxResults: 100 })
      assert.deepEqual(all.items.map((l) => [l.predictionId, l.rows]), [['p-1', 2], ['p-2', 2], ['p-3', 2]])
    })

    it('should write nothing of a batch in which one record fails', async () => {
      const bad = { ...log('p-bad', T0 + 4), model: null } as unknown as PredictionLog
      assert.ok(await codeOf(store.appendBatch([log('p-ok', T0 + 4), bad])))
      assert.deepEqual(await store.getMany(['p-ok', 'p-bad']), [])
    })

    it('should find logs by id and leave out unknown ids', async () => {
      const found = await store.getMany(['p-3', 'nope', 'p-1'])
      assert.deepEqual(found.map((l) => l.predictionId).sort(), ['p-1', 'p-3'])
    })

    it('should filter by model, version, deployment and time, and page in time order', async () => {
      const batch = Array.from({ length: 7 }, (_, i) => log(`q-${i}`, T0 + DAY + i * 1000, { model: 'fraud', version: String(1 + (i % 2)), deployment: i < 4 ? 'fraud-api' : undefined }))
      await store.appendBatch(batch.reverse())
      const ids = async (query: Parameters<PredictionLogStore['list']>[0]) => (await store.list(query)).items.map((l) => l.predictionId)
      assert.deepEqual(await ids({ model: 'fraud', version: '2', maxResults: 10 }), ['q-1', 'q-3', 'q-5'])
      assert.deepEqual(await ids({ deployment: 'fraud-api', maxResults: 10 }), ['q-0', 'q-1', 'q-2', 'q-3'])
      assert.deepEqual(await ids({ model: 'fraud', startTime: T0 + DAY + 2000, endTime: T0 + DAY + 4000, maxResults: 10 }), ['q-2', 'q-3'])
      const first = await store.list({ model: 'fraud', maxResults: 3 })
      const second = await store.list({ model: 'fraud', maxResults: 3, pageToken: first.nextPageToken })
      const third = await store.list({ model: 'fraud', maxResults: 3, pageToken: second.nextPageToken })
      assert.deepEqual([...first.items, ...second.items, ...third.items].map((l) => l.predictionId), ['q-0', 'q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'q-6'])
      assert.equal(third.nextPageToken, undefined)
    })

    it('should page through batches that overlap in time, across minutes, in (time, id) order', async () => {
      const start = T0 + 30 * DAY
      // Three writers' batches interleaved over three minutes, times tied across batches.
      const batches = [0, 1, 2].map((w) => Array.from({ length: 40 }, (_, i) => log(`m-${w}-${String(i).padStart(2, '0')}`, start + i * 4000 + (w === 2 ? 0 : w), { model: 'mix', version: String(w) })))
      for (const batch of batches) await store.appendBatch(batch)
      const expected = batches.flat().filter((l) => l.time >= start + 1).sort((a, b) => a.time - b.time || (a.predictionId < b.predictionId ? -1 : 1)).map((l) => l.predictionId)
      const seen: string[] = []
      let token: string | undefined
      do {
        const page = await store.list({ model: 'mix', startTime: start + 1, maxResults: 7, ...(token ? { pageToken: token } : {}) })
        seen.push(...page.items.map((l) => l.predictionId))
        token = page.nextPageToken
      } while (token)
      assert.deepEqual(seen, expected)
    })

    it('should return INVALID_PARAMETER_VALUE for a page token it did not make', async () => {
      assert.equal(await codeOf(store.list({ maxResults: 1, pageToken: 'not-a-token' })), 'INVALID_PARAMETER_VALUE')
    })

    it('should take batches for a new day from two writers at once', async () => {
      const other = new SqlPredictionLogStore(database)
      const day = T0 + 10 * DAY
      await Promise.all([
        store.appendBatch([log('r-1', day), log('r-2', day + 1)]),
        other.appendBatch([log('r-3', day + 2), log('r-1', day)]),
      ])
      const found = await store.getMany(['r-1', 'r-2', 'r-3'])
      assert.deepEqual(found.map((l) => l.predictionId).sort(), ['r-1', 'r-2', 'r-3'])
    })

    it('should delete logs older than the cutoff, whole days and the boundary day', async () => {
      const cutoff = T0 + DAY + 3500
      const before = (await store.list({ endTime: cutoff, maxResults: 1000 })).items.length
      const kept = (await store.list({ startTime: cutoff, maxResults: 1000 })).items.map((l) => l.predictionId)
      assert.equal(await store.deleteOlderThan(cutoff), before)
      assert.deepEqual((await store.list({ maxResults: 1000 })).items.map((l) => l.predictionId), kept)
      // A day emptied by retention takes records again.
      await store.appendBatch([log('late', T0)])
      assert.equal((await store.getMany(['late'])).length, 1)
    })

    it('should write to a day another replica dropped after this one wrote to it', async () => {
      const day = T0 + 20 * DAY
      await store.appendBatch([log('s-1', day)])
      await new SqlPredictionLogStore(database).deleteOlderThan(day + DAY)
      await store.appendBatch([log('s-2', day + 5)])
      assert.deepEqual((await store.getMany(['s-1', 's-2'])).map((l) => l.predictionId), ['s-2'])
    })
  })
}
