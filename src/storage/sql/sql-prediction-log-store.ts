import type { Kysely, Selectable } from 'kysely'
import type { LoggedColumns, PredictionLog, PredictionLogQuery, PredictionLogStore } from '../../monitoring/prediction-log-store.js'
import { decodeOffsetToken, pageFromRows, type Page } from '../../shared/page.js'
import type { DialectFeatures } from './dialect-features.js'
import type { Database, PredictionLogTable } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

const DAY_MS = 86_400_000

function toRow(log: PredictionLog): PredictionLogTable {
  return {
    prediction_id: log.predictionId,
    model: log.model,
    version: log.version,
    deployment: log.deployment ?? null,
    time: log.time,
    rows: log.rows,
    inputs: JSON.stringify(log.inputs),
    outputs: JSON.stringify(log.outputs),
    latency_ms: log.latencyMs,
    error: log.error ?? null,
  }
}

function toLog(row: Selectable<PredictionLogTable>): PredictionLog {
  const log: PredictionLog = {
    predictionId: row.prediction_id,
    model: row.model,
    version: row.version,
    time: Number(row.time),
    rows: Number(row.rows),
    inputs: JSON.parse(row.inputs) as LoggedColumns,
    outputs: JSON.parse(row.outputs) as LoggedColumns,
    latencyMs: Number(row.latency_ms),
  }
  if (row.deployment !== null) log.deployment = row.deployment
  if (row.error !== null) log.error = row.error
  return log
}

/**
 * Prediction logs in the metadata database. On PostgreSQL each UTC day is a partition, made the
 * first time this store writes a record of that day (remembered per store, re-checked when a
 * write finds its partition gone) and dropped whole by retention.
 */
export class SqlPredictionLogStore implements PredictionLogStore {
  readonly #db: Kysely<Database>
  readonly #features: DialectFeatures
  readonly #days = new Set<number>()

  constructor(database: SqlDatabase) {
    this.#db = database.db
    this.#features = database.features
  }

  appendBatch(logs: readonly PredictionLog[]): Promise<void> {
    if (logs.length === 0) return Promise.resolve()
    // The first record of an id wins, as it would had the batch been sent one record at a time.
    const byId = new Map<string, PredictionLogTable>()
    for (const log of logs) if (!byId.has(log.predictionId)) byId.set(log.predictionId, toRow(log))
    const rows = [...byId.values()]
    return translated(async () => {
      await this.#ensurePartitions(rows)
      try {
        await this.#features.insertPredictionLogs(this.#db, rows)
      } catch (error) {
        if (!this.#features.dayPartitions?.isMissingPartition(error)) throw error
        this.#days.clear()
        await this.#ensurePartitions(rows)
        await this.#features.insertPredictionLogs(this.#db, rows)
      }
    })
  }

  list(query: PredictionLogQuery): Promise<Page<PredictionLog>> {
    return translated(async () => {
      const offset = decodeOffsetToken(query.pageToken)
      let select = this.#db.selectFrom('prediction_logs').selectAll()
      if (query.model !== undefined) select = select.where('model', '=', query.model)
      if (query.version !== undefined) select = select.where('version', '=', query.version)
      if (query.deployment !== undefined) select = select.where('deployment', '=', query.deployment)
      if (query.startTime !== undefined) select = select.where('time', '>=', query.startTime)
      if (query.endTime !== undefined) select = select.where('time', '<', query.endTime)
      const rows = await select.orderBy('time').orderBy('prediction_id').limit(query.maxResults + 1).offset(offset).execute()
      return pageFromRows(rows.map(toLog), query.maxResults, offset)
    })
  }

  getMany(predictionIds: readonly string[]): Promise<PredictionLog[]> {
    if (predictionIds.length === 0) return Promise.resolve([])
    const chunk = this.#features.maxBindParameters - 10
    return translated(async () => {
      const found: PredictionLog[] = []
      for (let i = 0; i < predictionIds.length; i += chunk) {
        const ids = predictionIds.slice(i, i + chunk)
        const rows = await this.#db.selectFrom('prediction_logs').selectAll().where('prediction_id', 'in', ids).execute()
        for (const row of rows) found.push(toLog(row))
      }
      return found
    })
  }

  deleteOlderThan(before: number): Promise<number> {
    return translated(async () => {
      let deleted = 0
      const partitions = this.#features.dayPartitions
      if (partitions) {
        for (const day of await partitions.list(this.#db, 'prediction_logs')) {
          if (day + DAY_MS > before) continue
          deleted += await partitions.drop(this.#db, 'prediction_logs', day)
          this.#days.delete(day)
        }
      }
      // The boundary day (or, unpartitioned, everything): row by row.
      const result = await this.#db.deleteFrom('prediction_logs').where('time', '<', before).executeTakeFirst()
      return deleted + Number(result.numDeletedRows)
    })
  }

  async #ensurePartitions(rows: readonly PredictionLogTable[]): Promise<void> {
    const partitions = this.#features.dayPartitions
    if (!partitions) return
    for (const row of rows) {
      const day = Math.floor(row.time / DAY_MS) * DAY_MS
      if (this.#days.has(day)) continue
      await partitions.create(this.#db, 'prediction_logs', day)
      this.#days.add(day)
    }
  }
}
