import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { openPostgresSchema } from '../contract/test-databases.js'
import { openPostgresDatabase } from './postgres-database.js'
import type { SqlDatabase } from '../sql/sql-database.js'

const URL = process.env.PLINTH_TEST_POSTGRES_URL

/** PostgreSQL going away (a restart, an administrator's kill) is an outage to ride out, never a crash. */
describe('PostgreSQL connection loss', { skip: URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set' }, () => {
  let opened: Awaited<ReturnType<typeof openPostgresSchema>>
  let database: SqlDatabase
  let killer: SqlDatabase

  before(async () => {
    opened = await openPostgresSchema(URL!)
    database = opened.database
    killer = await openPostgresDatabase(URL!, { poolSize: 1 })
  })
  after(async () => {
    await killer.close()
    await opened.cleanup()
  })

  it('should survive its connection being terminated while checked out between two queries, and keep working', async () => {
    await database.db.connection().execute(async (connection) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection)
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(killer.db)
      // The FATAL message arrives while no query runs: node-postgres emits 'error' on the client itself.
      await new Promise((resolve) => setTimeout(resolve, 300))
    })
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db)
    assert.equal(rows[0]!.one, 1)
  })
})
