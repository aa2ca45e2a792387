import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely'
import type { Database } from '../sql/schema.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import { createSqliteFeatures } from './sqlite-features.js'

/**
 * Opens (creating if needed) a SQLite database file. WAL lets readers run beside the one writer;
 * the busy timeout makes a second process wait for the lock instead of failing with
 * "database is locked" (MLflow PRs #6490 and #20014 met both). synchronous=NORMAL keeps every
 * committed transaction across a killed process; only an OS crash can lose the last commits.
 */
export function openSqliteDatabase(path: string): SqlDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const connection = new BetterSqlite3(path)
  connection.pragma('journal_mode = WAL')
  connection.pragma('busy_timeout = 10000')
  connection.pragma('synchronous = NORMAL')
  // MLflow's LIKE is case-sensitive; SQLite's is not unless told.
  connection.pragma('case_sensitive_like = ON')
  connection.pragma('cache_size = -65536')
  const db = new Kysely<Database>({ dialect: new ImmediateTransactionsDialect({ database: withStatementCache(connection) }) })
  return {
    db,
    features: createSqliteFeatures(connection),
    displayUri: `sqlite:///${path}`,
    close: () => db.destroy(),
  }
}

/**
 * Transactions begin with BEGIN IMMEDIATE, taking the write lock up front. A plain BEGIN takes it
 * at the first write, after the transaction has read; if another process (a `--workers` sibling,
 * a CLI command) wrote in between, SQLite fails at once with "database is locked" instead of
 * waiting out busy_timeout, since waiting could deadlock two readers that both want to write.
 */
class ImmediateTransactionsDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig

  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }

  override createDriver(): Driver {
    return new ImmediateTransactionsDriver(this.#config)
  }
}

class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

const STATEMENT_CACHE_SIZE = 256

/**
 * Kysely prepares every query anew; SQLite's prepare costs as much as running a small query,
 * so the same SQL text reuses its prepared statement (the least recently used are dropped).
 */
function withStatementCache(connection: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => connection.close(),
    prepare(text: string): BetterSqlite3.Statement {
      let statement = cache.get(text)
      if (statement) {
        cache.delete(text)
      } else {
        statement = connection.prepare(text)
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
      }
      cache.set(text, statement)
      return statement
    },
  }
}
