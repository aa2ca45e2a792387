import { sql, type Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/**
 * Monitors and what they produce: runs (results as JSON), alerts (one per monitor × condition),
 * alert events (append-only, numbered from a counter row so the numbers follow commit order), and
 * notification deliveries (kept until sent, so a restart does not lose one).
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('monitors')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('deployment', 'varchar(128)')
    .addColumn('model', 'varchar(256)')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', f.bigint, (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(128)')
    .addColumn('lease_until', f.bigint)
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('monitors_due').on('monitors').columns(['enabled', 'next_run_at']).execute()

  await db.schema
    .createTable('monitor_runs')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('time', f.bigint, (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('results', 'text')
    .execute()
  await db.schema.createIndex('monitor_runs_by_time').on('monitor_runs').columns(['monitor_id', 'time']).execute()

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('monitor_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('deployment', 'varchar(128)')
    .addColumn('model', 'varchar(256)')
    .addColumn('condition_key', 'varchar(300)', (c) => c.notNull())
    .addColumn('condition_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('severity', 'varchar(32)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('streak', 'integer', (c) => c.notNull())
    .addColumn('since', f.bigint, (c) => c.notNull())
    .addColumn('started_at', f.bigint)
    .addColumn('resolved_at', f.bigint)
    .addColumn('last_value', f.double)
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .addUniqueConstraint('alerts_monitor_condition', ['monitor_id', 'condition_key'])
    .execute()
  await db.schema.createIndex('alerts_by_state').on('alerts').columns(['state', 'updated_at']).execute()

  await db.schema
    .createTable('alert_events')
    .addColumn('seq', f.bigint, (c) => c.primaryKey())
    .addColumn('alert_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('monitor_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('deployment', 'varchar(128)')
    .addColumn('model', 'varchar(256)')
    .addColumn('condition_key', 'varchar(300)', (c) => c.notNull())
    .addColumn('condition_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('severity', 'varchar(32)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', f.double)
    .addColumn('started_at', f.bigint, (c) => c.notNull())
    .addColumn('time', f.bigint, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('monitor_sequences')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', f.bigint, (c) => c.notNull())
    .execute()
  await sql`insert into monitor_sequences (name, value) values ('alert_events', 0)`.execute(db)

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('monitor_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('alert_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', f.bigint, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'varchar(128)')
    .addColumn('lease_until', f.bigint)
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('alert_deliveries_due').on('alert_deliveries').columns(['status', 'next_attempt_at']).execute()
  await db.schema.createIndex('alert_deliveries_by_monitor').on('alert_deliveries').columns(['monitor_id', 'created_at']).execute()
}
