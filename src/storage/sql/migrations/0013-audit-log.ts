import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/** Who changed what and when (docs/security.md): one row per mutation of the management API. */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('event_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('time', f.bigint, (c) => c.notNull())
    .addColumn('actor', 'varchar(200)', (c) => c.notNull())
    .addColumn('token_id', 'varchar(32)')
    .addColumn('method', 'varchar(8)', (c) => c.notNull())
    .addColumn('route', 'varchar(500)', (c) => c.notNull())
    .addColumn('resource_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'varchar(200)', (c) => c.notNull())
    .addColumn('remote_address', 'varchar(100)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_log_time').on('audit_log').columns(['time', 'event_id']).execute()
  await db.schema.createIndex('audit_log_actor_time').on('audit_log').columns(['actor', 'time']).execute()
}
