import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'

export const SQLITE_FEATURES: DialectFeatures = Object.freeze<DialectFeatures>({
  name: 'sqlite',
  ilike: (left, pattern) => sql<SqlBool>`lower(${left}) like lower(${pattern})`,
  clusteredTable: (builder) => builder.modifyEnd(sql`without rowid`),
  // SQLite's default limit since 3.32 is 32766.
  maxBindParameters: 32_000,
  bigint: 'integer',
  double: 'real',
})
