import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { TriggerStateStore } from '../../pipelines/triggers/trigger-state-store.js'
import type { Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

const hashOf = (item: string) => createHash('sha256').update(item).digest('hex')

/** Trigger cursors and seen items over Kysely, for SQLite and PostgreSQL alike. */
export class SqlTriggerStateStore implements TriggerStateStore {
  readonly #db: Kysely<Database>
  readonly #chunk: number

  constructor(database: SqlDatabase) {
    this.#db = database.db
    // Three parameters per seen row; stay well under the dialect's bind limit.
    this.#chunk = Math.max(1, Math.floor(database.features.maxBindParameters / 4))
  }

  getCursor(triggerKey: string): Promise<string | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('pipeline_trigger_cursors').select('value').where('trigger_key', '=', triggerKey).executeTakeFirst()
      return row?.value
    })
  }

  compareAndSetCursor(triggerKey: string, expected: string | undefined, next: string, now: number): Promise<boolean> {
    return translated(async () => {
      if (expected === undefined) {
        const inserted = await this.#db
          .insertInto('pipeline_trigger_cursors')
          .values({ trigger_key: triggerKey, value: next, updated_at: now })
          .onConflict((oc) => oc.column('trigger_key').doNothing())
          .executeTakeFirst()
        return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
      }
      const updated = await this.#db
        .updateTable('pipeline_trigger_cursors')
        .set({ value: next, updated_at: now })
        .where('trigger_key', '=', triggerKey)
        .where('value', '=', expected)
        .executeTakeFirst()
      return Number(updated.numUpdatedRows) === 1
    })
  }

  seenAmong(triggerKey: string, items: readonly string[]): Promise<Set<string>> {
    return translated(async () => {
      const byHash = new Map(items.map((item) => [hashOf(item), item]))
      const hashes = [...byHash.keys()]
      const seen = new Set<string>()
      for (let i = 0; i < hashes.length; i += this.#chunk) {
        const rows = await this.#db
          .selectFrom('pipeline_trigger_seen')
          .select('item_hash')
          .where('trigger_key', '=', triggerKey)
          .where('item_hash', 'in', hashes.slice(i, i + this.#chunk))
          .execute()
        for (const row of rows) seen.add(byHash.get(row.item_hash)!)
      }
      return seen
    })
  }

  markSeen(triggerKey: string, items: readonly string[], now: number): Promise<void> {
    return translated(async () => {
      const rows = [...new Set(items.map(hashOf))].map((item_hash) => ({ trigger_key: triggerKey, item_hash, seen_at: now }))
      for (let i = 0; i < rows.length; i += this.#chunk) {
        await this.#db
          .insertInto('pipeline_trigger_seen')
          .values(rows.slice(i, i + this.#chunk))
          .onConflict((oc) => oc.columns(['trigger_key', 'item_hash']).doNothing())
          .execute()
      }
    })
  }

  forget(triggerKey: string): Promise<void> {
    return translated(async () => {
      await this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom('pipeline_trigger_cursors').where('trigger_key', '=', triggerKey).execute()
        await trx.deleteFrom('pipeline_trigger_seen').where('trigger_key', '=', triggerKey).execute()
      })
    })
  }
}
