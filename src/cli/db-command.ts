import type { Command } from 'commander'
import { resolveConfig } from '../config/index.js'
import { openDatabase } from '../storage/open-database.js'
import { migrateToLatest, schemaStatus } from '../storage/sql/schema-migrator.js'
import { action, withStore } from './cli-context.js'
import { printObject } from './output.js'

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('manage the metadata database schema')

  withStore(db.command('migrate'))
    .description('apply pending schema migrations (back the database up first)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { backendStoreUri?: string; json?: boolean }) => {
        const database = await openDatabase(resolveConfig({ backendStoreUri: flags.backendStoreUri }).backendStoreUri)
        try {
          const results = await migrateToLatest(database)
          const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
          if (flags.json) printObject({ database: database.displayUri, applied }, true)
          else process.stdout.write(applied.length ? `Applied ${applied.join(', ')} to ${database.displayUri}\n` : `${database.displayUri} is up to date.\n`)
        } finally {
          await database.close()
        }
      }),
    )

  withStore(db.command('status'))
    .description('list applied and pending migrations')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { backendStoreUri?: string; json?: boolean }) => {
        const database = await openDatabase(resolveConfig({ backendStoreUri: flags.backendStoreUri }).backendStoreUri)
        try {
          printObject({ database: database.displayUri, ...(await schemaStatus(database)) }, Boolean(flags.json))
        } finally {
          await database.close()
        }
      }),
    )
}
