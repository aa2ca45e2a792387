import type BetterSqlite3 from 'better-sqlite3'
import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'
import { summarizeBlocks, UPSERT_METRIC_BLOCK_SET } from '../sql/tracking/metric-blocks.js'

/** SQLite's features; bulk writes go straight to the connection that Kysely also uses. */
export function createSqliteFeatures(connection: BetterSqlite3.Database): DialectFeatures {
  let insertPoint: BetterSqlite3.Statement | undefined
  let upsertBlock: BetterSqlite3.Statement | undefined
  const writeMetricPoints: DialectFeatures['writeMetricPoints'] = async (db, points, latest) => {
    if (!db.isTransaction) return db.transaction().execute((trx) => writeMetricPoints(trx, points, latest))
    // Through the raw connection, which is safe only because `db` holds it: Kysely lends the
    // one connection to one transaction at a time.
    insertPoint ??= connection.prepare(
      'insert into metrics (series_id, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?) on conflict do nothing',
    )
    upsertBlock ??= connection.prepare(
      `insert into metric_blocks (series_id, block, points, step_min, step_max, min_value, min_step, max_value, max_step)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (series_id, block) do update set ${UPSERT_METRIC_BLOCK_SET}`,
    )
    const { seriesIds, steps, timestamps, values, isNan } = points
    const stored = new Array<boolean>(steps.length)
    for (let i = 0; i < steps.length; i++) stored[i] = insertPoint.run(seriesIds[i], steps[i], timestamps[i], values[i], isNan[i]).changes > 0
    for (const b of summarizeBlocks(points, stored)) {
      upsertBlock.run(b.series_id, b.block, b.points, b.step_min, b.step_max, b.min_value, b.min_step, b.max_value, b.max_step)
    }
    await db.executeQuery(latest)
  }
  let insertIds: BetterSqlite3.Statement | undefined
  const insertPredictionIds: DialectFeatures['insertPredictionIds'] = async (_db, segmentId, time, ids) => {
    // The raw connection again, held by the transaction `_db`. One statement for the whole
    // segment: SQLite walks the JSON array itself, a bound call per id cost several times more.
    // WHERE true: without it SQLite would read ON CONFLICT as part of the SELECT's join.
    insertIds ??= connection.prepare(
      'insert into prediction_log_ids (prediction_id, "time", segment_id, position) select value, ?, ?, key from json_each(?) where true on conflict do nothing',
    )
    return insertIds.run(time, segmentId, ids.json).changes
  }
  return Object.freeze<DialectFeatures>({
    name: 'sqlite',
    ilike: (left, pattern) => sql<SqlBool>`lower(${left}) like lower(${pattern})`,
    clusteredTable: (builder) => builder.modifyEnd(sql`without rowid`),
    writeMetricPoints,
    partitionedByTime: (builder) => builder,
    dayPartitions: undefined,
    insertPredictionIds,
    probesOrderedWindow: true,
    // SQLite's default limit since 3.32 is 32766.
    maxBindParameters: 32_000,
    bigint: 'integer',
    double: 'real',
    binary: 'blob',
    serial: 'integer',
  })
}
