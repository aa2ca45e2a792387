import type BetterSqlite3 from 'better-sqlite3'
import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'

/** SQLite's features; bulk writes go straight to the connection that Kysely also uses. */
export function createSqliteFeatures(connection: BetterSqlite3.Database): DialectFeatures {
  let insertPoint: BetterSqlite3.Statement | undefined
  return Object.freeze<DialectFeatures>({
    name: 'sqlite',
    ilike: (left, pattern) => sql<SqlBool>`lower(${left}) like lower(${pattern})`,
    clusteredTable: (builder) => builder.modifyEnd(sql`without rowid`),
    // One prepared statement run per row beats one 5,000-parameter statement: SQLite has no
    // round trips, and a long VALUES list costs more to compile than to run.
    async insertMetricPoints(_trx, rows) {
      insertPoint ??= connection.prepare(
        'insert into metrics (series_id, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?) on conflict do nothing',
      )
      for (const r of rows) insertPoint.run(r.series_id, r.step, r.timestamp, r.value, r.is_nan)
    },
    // SQLite's default limit since 3.32 is 32766.
    maxBindParameters: 32_000,
    bigint: 'integer',
    double: 'real',
  })
}
