import { Kysely, PostgresDialect } from 'kysely'
import { AppError } from '../../shared/errors.js'
import type { Database } from '../sql/schema.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import { POSTGRES_FEATURES } from './postgres-features.js'

const INT8_OID = 20
const CONNECT_TIMEOUT_MS = 10_000

/** Opens a pooled PostgreSQL connection; `pg` is loaded only when a PostgreSQL URI is used. */
export async function openPostgresDatabase(
  uri: string,
  options: { poolSize?: number } = {},
): Promise<SqlDatabase> {
  let pg: typeof import('pg').default
  try {
    pg = (await import('pg')).default
  } catch (cause) {
    throw new AppError('INTERNAL_ERROR', 'PostgreSQL support needs the pg package: npm install pg', {
      cause,
    })
  }
  // Timestamps and steps are int64 columns; as JavaScript numbers they stay exact up to 2^53,
  // far past any millisecond timestamp, and MLflow's wire format sends them as JSON numbers.
  const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text') }
  // Without a connect timeout a request would wait for an unreachable server for ever; with one it gets a 503.
  const pool = new pg.Pool({ connectionString: uri, max: options.poolSize ?? 10, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  // A client losing its connection (a restarted server) must not crash the process: the pool
  // covers idle clients, and a checked-out client between two queries emits 'error' on itself.
  // The query in flight (if any) still fails, and the pool drops the dead client on release.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    features: POSTGRES_FEATURES,
    displayUri: uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'),
    close: () => db.destroy(),
  }
}
