import type { Kysely, Transaction } from 'kysely'
import type { DialectFeatures } from './dialect-features.js'
import type { NewSegment } from './log-segment-batch.js'
import type { Database } from './schema.js'

const DAY_MS = 86_400_000

/**
 * Stores segments all or nothing: per segment one row and one statement indexing its ids. The
 * first record of an id wins; the rare segment holding an id already stored (a batch retried
 * after a lost answer, a caller's id used twice) marks that position skipped.
 * `days` remembers the PostgreSQL partitions this writer has made.
 */
export async function writeSegments(db: Kysely<Database>, features: DialectFeatures, segments: readonly NewSegment[], days: Set<number>): Promise<void> {
  if (segments.length === 0) return
  await ensurePartitions(db, features, segments, days)
  // Inside a migration `db` is its transaction already.
  const write = () => (db.isTransaction ? insertAll(db as Transaction<Database>, features, segments) : db.transaction().execute((trx) => insertAll(trx, features, segments)))
  try {
    await write()
  } catch (error) {
    if (db.isTransaction || !features.dayPartitions?.isMissingPartition(error)) throw error
    days.clear()
    await ensurePartitions(db, features, segments, days)
    await write()
  }
}

async function insertAll(trx: Transaction<Database>, features: DialectFeatures, segments: readonly NewSegment[]): Promise<void> {
  for (const s of segments) {
    // Drivers take a Buffer as bytes (a plain Uint8Array would not be sent as bytea by pg).
    const body = Buffer.from(s.body.buffer, s.body.byteOffset, s.body.byteLength)
    const ids = JSON.stringify(s.ids)
    const { id } = await trx
      .insertInto('prediction_log_segments')
      .values({ model: s.model, version: s.version, deployment: s.deployment, min_time: s.minTime, max_time: s.maxTime, records: s.ids.length, ids, skip: null, body })
      .returning('id')
      .executeTakeFirstOrThrow()
    const segmentId = Number(id)
    const indexed = await features.insertPredictionIds(trx, segmentId, s.minTime, { list: s.ids, json: ids })
    if (indexed < s.ids.length) await skipLosers(trx, features, segmentId, s.ids)
  }
}

/** Positions whose id the index gives to another record are skipped; a segment left empty goes. */
async function skipLosers(trx: Transaction<Database>, features: DialectFeatures, segmentId: number, ids: readonly string[]): Promise<void> {
  const won = new Set<number>()
  const chunk = features.maxBindParameters - 10
  for (let at = 0; at < ids.length; at += chunk) {
    const rows = await trx.selectFrom('prediction_log_ids').select(['position']).where('segment_id', '=', segmentId).where('prediction_id', 'in', ids.slice(at, at + chunk)).execute()
    for (const r of rows) won.add(Number(r.position))
  }
  if (won.size === 0) {
    await trx.deleteFrom('prediction_log_segments').where('id', '=', segmentId).execute()
    return
  }
  const skip = ids.map((_, i) => i).filter((i) => !won.has(i))
  await trx.updateTable('prediction_log_segments').set({ skip: JSON.stringify(skip), records: won.size }).where('id', '=', segmentId).execute()
}

async function ensurePartitions(db: Kysely<Database>, features: DialectFeatures, segments: readonly NewSegment[], days: Set<number>): Promise<void> {
  const partitions = features.dayPartitions
  if (!partitions) return
  for (const s of segments) {
    const day = Math.floor(s.minTime / DAY_MS) * DAY_MS
    if (days.has(day)) continue
    await partitions.create(db, 'prediction_log_segments', day)
    await partitions.create(db, 'prediction_log_ids', day)
    days.add(day)
  }
}
