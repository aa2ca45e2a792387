import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from '../sql/schema.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import { SQLITE_FEATURES } from './sqlite-features.js'

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) })
  return {
    db,
    features: SQLITE_FEATURES,
    displayUri: `sqlite:///${path}`,
    close: () => db.destroy(),
  }
}
