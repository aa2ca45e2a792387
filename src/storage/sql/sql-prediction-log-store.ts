import type { Kysely } from 'kysely'
import type { PackedPredictions } from '../../monitoring/packed-predictions.js'
import type { PredictionLog, PredictionLogQuery, PredictionLogStore } from '../../monitoring/prediction-log-store.js'
import type { Page } from '../../shared/page.js'
import type { DialectFeatures } from './dialect-features.js'
import { segmentsOfLogs, segmentsOfPacked, spanStart } from './log-segment-batch.js'
import { decodeCursor, OpenSegment, PageCollector, type SegmentRow } from './log-segment-reads.js'
import { writeSegments } from './log-segment-writes.js'
import type { Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

const DAY_MS = 86_400_000
/** Segments read per query while a page fills; doubled each time, up to 64. */
const FIRST_FETCH = 1

/**
 * Prediction logs in the metadata database, stored as segments (migration 0012): each written
 * batch becomes one row per model, version, deployment and minute, its records packed together,
 * plus one narrow index entry per prediction id. On PostgreSQL each UTC day is a partition of
 * both tables, made the first time this store writes to that day (remembered per store,
 * re-checked when a write finds its partition gone) and dropped whole by retention.
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
    return translated(() => writeSegments(this.#db, this.#features, segmentsOfLogs(logs), this.#days))
  }

  /** Served predictions as the logger packed them, their tensors stored as bytes (the writer's path). */
  appendPacked(batch: PackedPredictions): Promise<void> {
    return translated(() => writeSegments(this.#db, this.#features, segmentsOfPacked(batch), this.#days))
  }

  list(query: PredictionLogQuery): Promise<Page<PredictionLog>> {
    return translated(async () => {
      const cursor = decodeCursor(query.pageToken)
      const collector = new PageCollector(query.maxResults, { ...query, ...(cursor ? { cursor } : {}) })
      const from = Math.max(query.startTime ?? -Infinity, cursor?.time ?? -Infinity)
      // A segment holds one minute at most: records from `from` on start in its minute or later.
      let after: { minTime: number; id: number } | undefined = Number.isFinite(from) ? { minTime: spanStart(from), id: -1 } : undefined
      for (let fetch = FIRST_FETCH; ; fetch = Math.min(64, fetch * 2)) {
        const rows = await this.#segmentsFrom(query, from, after, fetch)
        for (const row of rows) collector.add(new OpenSegment(row))
        if (rows.length < fetch) break
        const last = rows[rows.length - 1]!
        after = { minTime: Number(last.min_time), id: Number(last.id) }
        if (collector.settledBefore(after.minTime)) break
      }
      return collector.page()
    })
  }

  getMany(predictionIds: readonly string[]): Promise<PredictionLog[]> {
    if (predictionIds.length === 0) return Promise.resolve([])
    const chunk = this.#features.maxBindParameters - 10
    return translated(async () => {
      const found: PredictionLog[] = []
      for (let i = 0; i < predictionIds.length; i += chunk) {
        const entries = await this.#db.selectFrom('prediction_log_ids').select(['segment_id', 'position']).where('prediction_id', 'in', predictionIds.slice(i, i + chunk)).execute()
        const wanted = new Map<number, number[]>()
        for (const e of entries) {
          const positions = wanted.get(Number(e.segment_id)) ?? []
          positions.push(Number(e.position))
          wanted.set(Number(e.segment_id), positions)
        }
        for (const row of await this.#segments([...wanted.keys()])) {
          const reader = new OpenSegment(row).reader
          for (const p of wanted.get(Number(row.id))!) found.push(reader.log(p))
        }
      }
      return found
    })
  }

  deleteOlderThan(before: number): Promise<number> {
    return translated(async () => {
      let deleted = 0
      const partitions = this.#features.dayPartitions
      if (partitions) {
        for (const day of await partitions.list(this.#db, 'prediction_log_segments')) {
          if (day + DAY_MS > before) continue
          // The index partition holds one entry per record of the day's segments.
          deleted += await partitions.drop(this.#db, 'prediction_log_ids', day)
          await partitions.drop(this.#db, 'prediction_log_segments', day)
          this.#days.delete(day)
        }
      }
      // The boundary day (or, unpartitioned, everything): segment by segment.
      for (;;) {
        const rows = await this.#db.selectFrom('prediction_log_segments').selectAll().where('min_time', '<', before).orderBy('min_time').limit(64).execute()
        for (const row of rows) deleted += await this.#deleteBefore(row, before)
        if (rows.length < 64) return deleted
      }
    })
  }

  /** Removes a segment's records older than `before`: the whole row, or their positions. */
  async #deleteBefore(row: SegmentRow, before: number): Promise<number> {
    const segment = new OpenSegment(row)
    const gone: number[] = []
    const kept: number[] = []
    for (const p of segment.positions()) (segment.reader.time(p) < before ? gone : kept).push(p)
    const chunk = this.#features.maxBindParameters - 10
    const ids = gone.map((p) => segment.ids[p]!)
    await this.#db.transaction().execute(async (trx) => {
      for (let at = 0; at < ids.length; at += chunk) {
        await trx.deleteFrom('prediction_log_ids').where('segment_id', '=', row.id).where('prediction_id', 'in', ids.slice(at, at + chunk)).execute()
      }
      if (kept.length === 0) {
        await trx.deleteFrom('prediction_log_segments').where('id', '=', row.id).execute()
        return
      }
      const keep = new Set(kept)
      const skip = segment.ids.map((_, p) => p).filter((p) => !keep.has(p))
      // min_time stays: it is the partition key, and a bound need not be tight.
      await trx.updateTable('prediction_log_segments').set({ skip: JSON.stringify(skip), records: kept.length }).where('id', '=', row.id).execute()
    })
    return gone.length
  }

  #segmentsFrom(query: PredictionLogQuery, from: number, after: { minTime: number; id: number } | undefined, limit: number): Promise<SegmentRow[]> {
    let select = this.#db.selectFrom('prediction_log_segments').selectAll()
    // Within `from`'s minute only the segments reaching it (the index walk stays on min_time).
    if (Number.isFinite(from)) select = select.where('max_time', '>=', from)
    if (query.model !== undefined) select = select.where('model', '=', query.model)
    if (query.version !== undefined) select = select.where('version', '=', query.version)
    if (query.deployment !== undefined) select = select.where('deployment', '=', query.deployment)
    if (query.endTime !== undefined) select = select.where('min_time', '<', query.endTime)
    if (after) {
      const { minTime, id } = after
      select = select.where('min_time', '>=', minTime).where((eb) => eb.or([eb('min_time', '>', minTime), eb.and([eb('min_time', '=', minTime), eb('id', '>', id)])]))
    }
    return select.orderBy('min_time').orderBy('id').limit(limit).execute()
  }

  #segments(ids: readonly number[]): Promise<SegmentRow[]> {
    if (ids.length === 0) return Promise.resolve([])
    return this.#db.selectFrom('prediction_log_segments').selectAll().where('id', 'in', ids).execute()
  }
}
