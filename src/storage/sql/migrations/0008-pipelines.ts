import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/** Pipelines, their runs, step attempts and the step cache index. */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('pipelines')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('base_dir', 'text')
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('updated_at', f.bigint, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('pipeline_runs')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('pipeline', 'varchar(128)', (c) => c.notNull())
    .addColumn('pipeline_version', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('base_dir', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('trigger_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('trigger_event_id', 'varchar(256)')
    .addColumn('trigger_payload', 'text')
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', f.bigint, (c) => c.notNull())
    .addColumn('started_at', f.bigint)
    .addColumn('ended_at', f.bigint)
    .addColumn('error', 'text')
    .addColumn('tracking_run_id', 'varchar(64)')
    .addColumn('resumed_from', 'varchar(40)')
    .addColumn('owner', 'varchar(200)')
    .addColumn('heartbeat_at', f.bigint)
    .execute()
  // NULL event ids (manual runs) never collide: both dialects treat NULLs as distinct.
  await db.schema.createIndex('pipeline_runs_event').unique().on('pipeline_runs').columns(['pipeline', 'trigger_event_id']).execute()
  await db.schema.createIndex('pipeline_runs_by_pipeline').on('pipeline_runs').columns(['pipeline', 'created_at']).execute()
  await db.schema.createIndex('pipeline_runs_by_status').on('pipeline_runs').columns(['status']).execute()
  await f
    .clusteredTable(
      db.schema
        .createTable('pipeline_step_attempts')
        .addColumn('run_id', 'varchar(40)', (c) => c.notNull())
        .addColumn('step', 'varchar(128)', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('cache_key', 'varchar(64)')
        .addColumn('cached_from', 'text')
        .addColumn('ready_at', f.bigint)
        .addColumn('started_at', f.bigint)
        .addColumn('ended_at', f.bigint)
        .addColumn('exit_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('output_params', 'text', (c) => c.notNull())
        .addColumn('output_artifacts', 'text', (c) => c.notNull())
        .addColumn('metrics', 'text', (c) => c.notNull())
        .addColumn('log_uri', 'text')
        .addColumn('tracking_run_id', 'varchar(64)')
        .addColumn('worker', 'varchar(200)')
        .addPrimaryKeyConstraint('pipeline_step_attempts_pk', ['run_id', 'step', 'attempt']),
    )
    .execute()
  await f
    .clusteredTable(
      db.schema
        .createTable('pipeline_step_cache')
        .addColumn('pipeline', 'varchar(128)', (c) => c.notNull())
        .addColumn('cache_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('run_id', 'varchar(40)', (c) => c.notNull())
        .addColumn('step', 'varchar(128)', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('created_at', f.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pipeline_step_cache_pk', ['pipeline', 'cache_key', 'run_id', 'step', 'attempt']),
    )
    .execute()
}
