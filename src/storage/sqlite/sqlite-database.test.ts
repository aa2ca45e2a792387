import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import BetterSqlite3 from 'better-sqlite3'
import { sql } from 'kysely'
import type { SqlDatabase } from '../sql/sql-database.js'
import { openSqliteDatabase } from './sqlite-database.js'

describe('openSqliteDatabase with a second connection on the same file', () => {
  let folder: string
  let database: SqlDatabase
  let other: BetterSqlite3.Database

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-sqlite-'))
    const file = join(folder, 'shared.db')
    database = openSqliteDatabase(file)
    await sql`create table points (n integer)`.execute(database.db)
    // Another process's connection (a --workers sibling, a CLI command), impatient so the test is quick.
    other = new BetterSqlite3(file, { timeout: 50 })
  })
  after(async () => {
    other.close()
    await database.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should hold the write lock from the start of a transaction that reads before it writes', async () => {
    await database.db.transaction().execute(async (trx) => {
      await sql`select count(*) from points`.execute(trx)
      // Had the transaction begun deferred, this write would slip in and the transaction's own
      // write below would fail at once with SQLITE_BUSY_SNAPSHOT, whatever the busy timeout.
      assert.throws(() => other.prepare('insert into points values (1)').run(), { code: 'SQLITE_BUSY' })
      await sql`insert into points values (2)`.execute(trx)
    })
    other.prepare('insert into points values (3)').run()
    const rows = await sql<{ n: number }>`select n from points order by n`.execute(database.db)
    assert.deepEqual(rows.rows.map((r) => r.n), [2, 3])
  })
})
