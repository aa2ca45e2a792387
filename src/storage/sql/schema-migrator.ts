import { Migrator, sql, type MigrationResult } from 'kysely'
import { AppError } from '../../shared/errors.js'
import { migrationsFor } from './migrations/index.js'
import type { SqlDatabase } from './sql-database.js'

const MIGRATION_TABLE = 'plinth_migrations'
const MIGRATION_LOCK_TABLE = 'plinth_migrations_lock'

export interface SchemaStatus {
  applied: string[]
  pending: string[]
}

async function migratorFor(database: SqlDatabase): Promise<Migrator> {
  return new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrationsFor(database.features) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    migrationTableSchema: await currentSchema(database),
  })
}

/**
 * On PostgreSQL the migrator must look for its tables in the schema this connection writes to:
 * left unset it finds them in any schema of the database, so a second Plinth (or test) sharing
 * the database in another schema would be told its own, still missing, tables exist.
 */
async function currentSchema(database: SqlDatabase): Promise<string | undefined> {
  if (database.features.name !== 'postgres') return undefined
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)
  return rows[0]?.schema
}

export async function schemaStatus(database: SqlDatabase): Promise<SchemaStatus> {
  const infos = await (await migratorFor(database)).getMigrations()
  return {
    applied: infos.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: infos.filter((m) => m.executedAt === undefined).map((m) => m.name),
  }
}

/** Applies every pending migration, under the migrator's lock (an advisory lock on PostgreSQL). */
export async function migrateToLatest(database: SqlDatabase): Promise<MigrationResult[]> {
  const { error, results } = await (await migratorFor(database)).migrateToLatest()
  if (error) {
    throw new AppError('INTERNAL_ERROR', `Migration failed: ${(error as Error).message}`, {
      cause: error,
    })
  }
  return results ?? []
}

/** Refuses to run on a schema older than this code knows. */
export async function assertSchemaCurrent(database: SqlDatabase): Promise<void> {
  const { pending } = await schemaStatus(database)
  if (pending.length > 0) {
    throw new AppError(
      'SCHEMA_MIGRATION_REQUIRED',
      `The database at ${database.displayUri} needs ${pending.length} migration(s) (${pending.join(', ')}). ` +
        `Back it up, then run: plinth db migrate --backend-store-uri ${database.displayUri}`,
    )
  }
}
