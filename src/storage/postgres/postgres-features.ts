import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'

export const POSTGRES_FEATURES: DialectFeatures = Object.freeze<DialectFeatures>({
  name: 'postgres',
  ilike: (left, pattern) => sql<SqlBool>`${left} ilike ${pattern}`,
  clusteredTable: (builder) => builder,
  // Five array parameters instead of five per row: the statement text and its plan stay the
  // same whatever the batch size.
  async insertMetricPoints(trx, rows) {
    await sql`insert into metrics (series_id, step, timestamp, value, is_nan)
      select * from unnest(${rows.map((r) => r.series_id)}::bigint[], ${rows.map((r) => r.step)}::bigint[],
        ${rows.map((r) => r.timestamp)}::bigint[], ${rows.map((r) => r.value)}::float8[], ${rows.map((r) => r.is_nan)}::int[])
      on conflict do nothing`.execute(trx)
  },
  // The wire protocol counts parameters in an int16.
  maxBindParameters: 65_000,
  bigint: 'bigint',
  double: 'double precision',
})
