import { sql, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'

export const POSTGRES_FEATURES: DialectFeatures = Object.freeze<DialectFeatures>({
  name: 'postgres',
  ilike: (left, pattern) => sql<SqlBool>`${left} ilike ${pattern}`,
  clusteredTable: (builder) => builder,
  // The wire protocol counts parameters in an int16.
  maxBindParameters: 65_000,
  bigint: 'bigint',
  double: 'double precision',
})
