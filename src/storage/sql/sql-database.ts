import type { Kysely } from 'kysely'
import type { DialectFeatures } from './dialect-features.js'
import type { Database } from './schema.js'

/** An open metadata database: the query builder plus what its dialect can do. */
export interface SqlDatabase {
  readonly db: Kysely<Database>
  readonly features: DialectFeatures
  /** A URI safe to print: the password, if any, is masked. */
  readonly displayUri: string
  close(): Promise<void>
}
