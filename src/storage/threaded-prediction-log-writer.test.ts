import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { packPredictions } from '../monitoring/packed-predictions.js'
import type { ServedPrediction } from '../monitoring/prediction-logger.js'
import { openPostgresSchema } from './contract/test-databases.js'
import { migrateToLatest } from './sql/schema-migrator.js'
import type { SqlDatabase } from './sql/sql-database.js'
import { SqlPredictionLogStore } from './sql/sql-prediction-log-store.js'
import { openSqliteDatabase } from './sqlite/sqlite-database.js'
import { ThreadedPredictionLogWriter } from './threaded-prediction-log-writer.js'

const POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL

function served(id: string, time: number): ServedPrediction {
  return {
    predictionId: id, model: 'churn', version: '2', deployment: 'churn-api', time, latencyMs: 1.25,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }],
    outputs: [{ name: 'label', datatype: 'BYTES', shape: [2], data: ['yes', 'no'] }],
  }
}

const backends = [
  {
    name: 'sqlite file',
    async open() {
      const folder = mkdtempSync(join(tmpdir(), 'plinth-writer-'))
      const database = openSqliteDatabase(join(folder, 'plinth.db'))
      await migrateToLatest(database)
      return { database, uri: `sqlite:///${join(folder, 'plinth.db')}`, cleanup: async () => { await database.close(); rmSync(folder, { recursive: true, force: true }) } }
    },
  },
  {
    name: 'postgres',
    skip: POSTGRES_URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)',
    open: () => openPostgresSchema(POSTGRES_URL!),
  },
]

for (const backend of backends) {
  describe(`${backend.name}: the prediction log writer thread`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let uri: string
    let cleanup: () => Promise<void>
    before(async () => {
      ;({ database, uri, cleanup } = await backend.open())
    })
    after(() => cleanup())

    it('should store packed batches through its own connection and send their JSON back', async () => {
      const published: string[] = []
      const writer = new ThreadedPredictionLogWriter({ uri, onStored: (encoded) => published.push(...encoded.map((e) => e.json)) })
      const day = Date.UTC(2026, 10, 29)
      await writer.write(packPredictions([served('w-1', day), served('w-2', day + 86_400_000)]))
      await writer.write(packPredictions([served('w-1', day), served('w-3', day + 5)]))
      await writer.close()
      const logs = await new SqlPredictionLogStore(database).getMany(['w-1', 'w-2', 'w-3'])
      assert.deepEqual(logs.map((l) => l.predictionId).sort(), ['w-1', 'w-2', 'w-3'])
      assert.deepEqual(logs.find((l) => l.predictionId === 'w-2'), {
        predictionId: 'w-2', model: 'churn', version: '2', deployment: 'churn-api', time: day + 86_400_000, rows: 2, latencyMs: 1.25,
        inputs: { 'x[0]': [1, 3], 'x[1]': [2, 4] }, outputs: { label: ['yes', 'no'] },
      })
      assert.equal(published.length, 4)
      assert.equal(JSON.parse(published[1]!).prediction_id, 'w-2')
    })

    it('should fail a write the database refuses, and take the next one', async () => {
      const writer = new ThreadedPredictionLogWriter({ uri })
      // A NOT NULL column left null: both databases refuse it (SQLite ignores varchar lengths).
      const bad = { ...served('w-4', Date.UTC(2026, 10, 29)), model: null as unknown as string }
      await assert.rejects(writer.write(packPredictions([bad])))
      await writer.write(packPredictions([served('w-5', Date.UTC(2026, 10, 29))]))
      await writer.close()
      assert.deepEqual((await new SqlPredictionLogStore(database).getMany(['w-4', 'w-5'])).map((l) => l.predictionId), ['w-5'])
    })
  })
}
