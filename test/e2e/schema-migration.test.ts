import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { Migrator } from 'kysely'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { migrationsFor } from '../../src/storage/sql/migrations/index.js'
import { SqlTrackingStore } from '../../src/storage/sql/tracking/sql-tracking-store.js'
import { openSqliteDatabase } from '../../src/storage/sqlite/sqlite-database.js'
import { TrackingService } from '../../src/tracking/index.js'
import { makeTempDir, okJson, removeTempDir, runCli, sqliteUri, startServer } from './plinth-process.test-helper.js'

/**
 * Writes the database an older Plinth would have left: every migration but the newest applied,
 * through the same migrator tables, and one experiment in it.
 */
async function makeOutdatedDatabase(path: string): Promise<{ missing: string; experimentId: string }> {
  const database = openSqliteDatabase(path)
  try {
    const all = migrationsFor(database.features)
    const missing = Object.keys(all).sort().at(-1)!
    const older = Object.fromEntries(Object.entries(all).filter(([name]) => name !== missing))
    const { error } = await new Migrator({
      db: database.db,
      provider: { getMigrations: async () => older },
      migrationTableName: 'plinth_migrations',
      migrationLockTableName: 'plinth_migrations_lock',
    }).migrateToLatest()
    if (error) throw error
    const experimentId = await new TrackingService(new SqlTrackingStore(database)).createExperiment({ name: 'made-by-older-plinth' })
    return { missing, experimentId }
  } finally {
    await database.close()
  }
}

/** House rule 3: a server on an old schema refuses to start; `plinth db migrate` is the fix. */
describe('a database one migration behind the code', () => {
  let dir: string
  let path: string
  let store: string
  let missing: string
  let experimentId: string

  before(async () => {
    dir = await makeTempDir('schema')
    path = join(dir, 'outdated.db')
    store = sqliteUri(path)
    ;({ missing, experimentId } = await makeOutdatedDatabase(path))
  })
  after(async () => {
    await removeTempDir(dir)
  })

  it('should make plinth server refuse to start with SCHEMA_MIGRATION_REQUIRED, naming the migration and the fix', { timeout: 300_000 }, async () => {
    const result = await runCli(['server', '--port', '0', '--log-level', 'warn', '--backend-store-uri', store, '--artifacts-destination', join(dir, 'artifacts')])
    assert.equal(result.code, EXIT_CODES.SCHEMA_MIGRATION_REQUIRED, `stderr: ${result.stderr}`)
    assert.doesNotMatch(result.stdout, /listening/)
    const lines = result.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, result.stderr)
    assert.match(lines[0]!, /^error: /)
    assert.ok(lines[0]!.includes(missing), `the message does not name ${missing}: ${lines[0]}`)
    assert.ok(lines[0]!.includes(`plinth db migrate --backend-store-uri ${store}`), lines[0])
  })

  it('should make CLI commands refuse the database too', { timeout: 300_000 }, async () => {
    const result = await runCli(['experiments', 'list', '--backend-store-uri', store])
    assert.equal(result.code, EXIT_CODES.SCHEMA_MIGRATION_REQUIRED, `stderr: ${result.stderr}`)
  })

  it('should be fixed by plinth db migrate, keeping the data, after which the server starts', { timeout: 300_000 }, async () => {
    const status = await runCli(['db', 'status', '--json', '--backend-store-uri', store])
    assert.equal(status.code, 0, status.stderr)
    assert.deepEqual(JSON.parse(status.stdout).pending, [missing])

    const migrated = await runCli(['db', 'migrate', '--backend-store-uri', store])
    assert.equal(migrated.code, 0, migrated.stderr)
    assert.equal(migrated.stdout, `Applied ${missing} to ${store}\n`)

    const server = await startServer(['--port', '0', '--log-level', 'warn', '--backend-store-uri', store, '--artifacts-destination', join(dir, 'artifacts')])
    try {
      const { experiment } = await okJson(server.url, 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)
      assert.equal(experiment.name, 'made-by-older-plinth')
    } finally {
      await server.stop()
    }
  })
})
