import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/**
 * Pipeline trigger state: a cursor per trigger (moved by compare-and-set, so replicas polling
 * the same trigger never move it backwards) and the items a data trigger has seen. Items are
 * stored as a SHA-256 of their text: object keys may be up to 1024 bytes, more than an index
 * entry should hold, and nothing needs the text back.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('pipeline_trigger_cursors')
    .addColumn('trigger_key', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('pipeline_trigger_seen')
        .addColumn('trigger_key', 'varchar(300)', (c) => c.notNull())
        .addColumn('item_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('seen_at', f.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pipeline_trigger_seen_pk', ['trigger_key', 'item_hash']),
    )
    .execute()
}
