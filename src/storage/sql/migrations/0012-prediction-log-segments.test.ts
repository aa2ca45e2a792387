import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import type { PredictionLog } from '../../../monitoring/prediction-log-store.js'
import { TEST_BACKENDS } from '../../contract/test-databases.js'
import type { PartitionedTable } from '../dialect-features.js'
import type { SqlDatabase } from '../sql-database.js'
import { SqlPredictionLogStore } from '../sql-prediction-log-store.js'
import * as m0005 from './0005-prediction-logs.js'
import { moveRowLayout } from './0012-prediction-log-segments.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 5, 1, 23, 59, 30)

function log(i: number): PredictionLog {
  const l: PredictionLog = { predictionId: `old-${i}`, model: i % 2 ? 'a' : 'b', version: '1', time: T0 + i * 20_000, rows: 1, inputs: { x: [i] }, outputs: { y: [i > 2] }, latencyMs: i / 4 }
  if (i === 3) l.deployment = 'dep'
  if (i === 4) Object.assign(l, { outputs: {}, error: 'MODEL_FAILED' })
  return l
}

for (const backend of TEST_BACKENDS) {
  describe(`${backend.name}: migration 0012`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    before(async () => ({ database, cleanup } = await backend.open()))
    after(() => cleanup())

    it('should move every row of the old layout into segments, readable by id and by window', async () => {
      const db = database.db as unknown as Kysely<unknown>
      await m0005.up(db, database.features)
      const logs = Array.from({ length: 6 }, (_, i) => log(i))
      for (const day of [T0 - (T0 % DAY), T0 - (T0 % DAY) + DAY]) await database.features.dayPartitions?.create(database.db, 'prediction_logs' as PartitionedTable, day)
      await database.db.insertInto('prediction_logs').values(logs.map((l) => ({
        prediction_id: l.predictionId, model: l.model, version: l.version, deployment: l.deployment ?? null, time: l.time, rows: l.rows,
        inputs: JSON.stringify(l.inputs), outputs: JSON.stringify(l.outputs), latency_ms: l.latencyMs, error: l.error ?? null,
      }))).execute()
      await moveRowLayout(database.db, database.features)
      const store = new SqlPredictionLogStore(database)
      assert.deepEqual((await store.list({ maxResults: 100 })).items, logs)
      assert.deepEqual((await store.list({ model: 'a', maxResults: 100 })).items, logs.filter((l) => l.model === 'a'))
      assert.deepEqual((await store.getMany(['old-4'])), [logs[4]])
    })
  })
}
