import { randomBytes } from 'node:crypto'
import { openPostgresDatabase } from '../postgres/postgres-database.js'
import { openSqliteDatabase } from '../sqlite/sqlite-database.js'
import { migrateToLatest } from '../sql/schema-migrator.js'
import type { SqlDatabase } from '../sql/sql-database.js'

export interface TestBackend {
  name: 'sqlite' | 'postgres'
  /** Why the backend is skipped, or undefined when it runs. */
  skip?: string
  /** A fresh, migrated database, and how to throw it away. */
  open(): Promise<{ database: SqlDatabase; cleanup(): Promise<void> }>
}

const POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL

/**
 * SQLite always runs (in memory); PostgreSQL when PLINTH_TEST_POSTGRES_URL is set. Each open()
 * gets its own database (a new PostgreSQL schema), so tests never share or wipe rows.
 */
export const TEST_BACKENDS: TestBackend[] = [
  {
    name: 'sqlite',
    async open() {
      const database = openSqliteDatabase(':memory:')
      await migrateToLatest(database)
      return { database, cleanup: () => database.close() }
    },
  },
  {
    name: 'postgres',
    skip: POSTGRES_URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)',
    open: () => openPostgresSchema(POSTGRES_URL!),
  },
]

export async function openPostgresSchema(url: string): Promise<{ database: SqlDatabase; cleanup(): Promise<void>; uri: string }> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const admin = await openPostgresDatabase(url, { poolSize: 1 })
  await admin.db.schema.createSchema(schema).execute()
  await admin.close()
  const separator = url.includes('?') ? '&' : '?'
  const uri = `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`
  const database = await openPostgresDatabase(uri)
  await migrateToLatest(database)
  return {
    database,
    uri,
    async cleanup() {
      await database.close()
      const dropper = await openPostgresDatabase(url, { poolSize: 1 })
      await dropper.db.schema.dropSchema(schema).cascade().execute()
      await dropper.close()
    },
  }
}
