import type BetterSqlite3 from 'better-sqlite3'
import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'

/** SQLite's features; bulk writes go straight to the connection that Kysely also uses. */
export function createSqliteFeatures(connection: BetterSqlite3.Database): DialectFeatures {
  let insertPoint: BetterSqlite3.Statement | undefined
  const writeMetricPoints: DialectFeatures['writeMetricPoints'] = async (db, points, latest) => {
    if (!db.isTransaction) return db.transaction().execute((trx) => writeMetricPoints(trx, points, latest))
    // Through the raw connection, which is safe only because `db` holds it: Kysely lends the
    // one connection to one transaction at a time.
    insertPoint ??= connection.prepare(
      'insert into metrics (series_id, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?) on conflict do nothing',
    )
    const { seriesIds, steps, timestamps, values, isNan } = points
    for (let i = 0; i < steps.length; i++) insertPoint.run(seriesIds[i], steps[i], timestamps[i], values[i], isNan[i])
    await db.executeQuery(latest)
  }
  return Object.freeze<DialectFeatures>({
    name: 'sqlite',
    ilike: (left, pattern) => sql<SqlBool>`lower(${left}) like lower(${pattern})`,
    clusteredTable: (builder) => builder.modifyEnd(sql`without rowid`),
    writeMetricPoints,
    probesOrderedWindow: true,
    // SQLite's default limit since 3.32 is 32766.
    maxBindParameters: 32_000,
    bigint: 'integer',
    double: 'real',
  })
}
