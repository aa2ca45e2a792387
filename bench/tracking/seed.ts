import { randomUUID } from 'node:crypto'
import type { SqlDatabase } from '../../src/storage/sql/sql-database.js'

const now = Date.now()

async function insertChunked(database: SqlDatabase, table: 'runs' | 'metrics' | 'latest_metrics' | 'params' | 'metric_series', rows: any[], columns: number): Promise<void> {
  const size = Math.floor(database.features.maxBindParameters / columns)
  for (let i = 0; i < rows.length; i += size) {
    await database.db.insertInto(table).values(rows.slice(i, i + size)).execute()
  }
}

/**
 * Writes `runs` runs with 10 metrics and 10 params each straight into the database (through the
 * same schema the server uses); seeding through the API would take longer than the benchmark.
 */
export async function seedRuns(database: SqlDatabase, experimentId: string, runs: number, onProgress: (done: number) => void): Promise<void> {
  const batch = 2000
  for (let start = 0; start < runs; start += batch) {
    const runRows = []
    const metricRows = []
    const seriesRows = []
    const pointRows = []
    const paramRows = []
    for (let i = start; i < Math.min(runs, start + batch); i++) {
      const runId = randomUUID().replaceAll('-', '')
      runRows.push({ run_uuid: runId, experiment_id: experimentId, name: `run-${i}`, user_id: 'bench', status: 'FINISHED', start_time: now - i * 1000, end_time: now, lifecycle_stage: 'active', artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, deleted_time: null })
      for (let m = 0; m < 10; m++) {
        const seriesId = Math.floor(Math.random() * 2 ** 48)
        const value = Math.random()
        metricRows.push({ run_uuid: runId, key: `m${m}`, step: 0, timestamp: now, value, is_nan: 0 })
        seriesRows.push({ series_id: seriesId, run_uuid: runId, key: `m${m}` })
        pointRows.push({ series_id: seriesId, step: 0, timestamp: now, value, is_nan: 0 })
      }
      for (let p = 0; p < 10; p++) paramRows.push({ run_uuid: runId, key: `p${p}`, value: String(Math.floor(Math.random() * 100)) })
    }
    await database.db.transaction().execute(async (trx) => {
      const tx = { ...database, db: trx } as SqlDatabase
      await insertChunked(tx, 'runs', runRows, 11)
      await insertChunked(tx, 'metric_series', seriesRows, 3)
      await insertChunked(tx, 'metrics', pointRows, 5)
      await insertChunked(tx, 'latest_metrics', metricRows, 6)
      await insertChunked(tx, 'params', paramRows, 3)
    })
    onProgress(Math.min(runs, start + batch))
  }
}

/** One run with `points` steps of one metric, for the history benchmark. */
export async function seedHistory(database: SqlDatabase, experimentId: string, points: number): Promise<string> {
  const runId = randomUUID().replaceAll('-', '')
  await database.db.insertInto('runs').values({ run_uuid: runId, experiment_id: experimentId, name: 'long-history', user_id: 'bench', status: 'FINISHED', start_time: now, end_time: now, lifecycle_stage: 'active', artifact_uri: '', deleted_time: null }).execute()
  const seriesId = Math.floor(Math.random() * 2 ** 48)
  await database.db.insertInto('metric_series').values({ series_id: seriesId, run_uuid: runId, key: 'loss' }).execute()
  const chunk = 50_000
  for (let start = 0; start < points; start += chunk) {
    const rows = []
    for (let i = start; i < Math.min(points, start + chunk); i++) rows.push({ series_id: seriesId, step: i, timestamp: now + i, value: 1 / (1 + i), is_nan: 0 })
    await database.db.transaction().execute(async (trx) => insertChunked({ ...database, db: trx } as SqlDatabase, 'metrics', rows, 5))
  }
  return runId
}
