import { sql, type Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/** Experiments, runs, params, tags, metrics, datasets: MLflow's tracking model. */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('experiment_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(500)', (c) => c.notNull().unique())
    .addColumn('artifact_location', 'text', (c) => c.notNull())
    .addColumn('lifecycle_stage', 'varchar(16)', (c) => c.notNull())
    .addColumn('creation_time', f.bigint, (c) => c.notNull())
    .addColumn('last_update_time', f.bigint, (c) => c.notNull())
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('experiment_tags')
        .addColumn('experiment_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key']),
    )
    .execute()

  await db.schema
    .createTable('runs')
    .addColumn('run_uuid', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(250)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('start_time', f.bigint, (c) => c.notNull())
    .addColumn('end_time', f.bigint)
    .addColumn('lifecycle_stage', 'varchar(16)', (c) => c.notNull())
    .addColumn('artifact_uri', 'text', (c) => c.notNull())
    .addColumn('deleted_time', f.bigint)
    .execute()
  // The default listing order (start_time DESC, run id) inside one experiment walks this index.
  await db.schema
    .createIndex('runs_experiment_start')
    .on('runs')
    .columns(['experiment_id', 'lifecycle_stage', 'start_time desc', 'run_uuid'])
    .execute()

  for (const table of ['params', 'tags'] as const) {
    await f
      .clusteredTable(
        db.schema
          .createTable(table)
          .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull())
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['run_uuid', 'key']),
      )
      .execute()
    await db.schema.createIndex(`${table}_key_value`).on(table).columns(['key', 'run_uuid']).execute()
  }

  // One row per (run, metric key); points refer to it by a small integer, which keeps the
  // points table about half the size it would be with the run id and key repeated per point.
  await db.schema
    .createTable('metric_series')
    .addColumn('series_id', f.bigint, (c) => c.primaryKey())
    .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull())
    .addColumn('key', 'varchar(250)', (c) => c.notNull())
    .addUniqueConstraint('metric_series_run_key', ['run_uuid', 'key'])
    .execute()

  // The primary key orders a series' points by step, so history reads and step sampling are
  // index range scans; like MLflow's key it includes the value, so a re-sent point is a no-op.
  await f
    .clusteredTable(
      db.schema
        .createTable('metrics')
        .addColumn('series_id', f.bigint, (c) => c.notNull())
        .addColumn('step', f.bigint, (c) => c.notNull())
        .addColumn('timestamp', f.bigint, (c) => c.notNull())
        .addColumn('value', f.double, (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_pk', ['series_id', 'step', 'timestamp', 'value']),
    )
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('latest_metrics')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull())
        .addColumn('key', 'varchar(250)', (c) => c.notNull())
        .addColumn('step', f.bigint, (c) => c.notNull())
        .addColumn('timestamp', f.bigint, (c) => c.notNull())
        .addColumn('value', f.double, (c) => c.notNull())
        .addColumn('is_nan', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key']),
    )
    .execute()
  // Metric filters and metric ordering in search start from the key and walk values in order.
  await db.schema
    .createIndex('latest_metrics_key_value')
    .on('latest_metrics')
    .columns(['key', 'value', 'run_uuid'])
    .execute()

  await db.schema
    .createTable('datasets')
    .addColumn('dataset_uuid', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('experiment_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(500)', (c) => c.notNull())
    .addColumn('digest', 'varchar(36)', (c) => c.notNull())
    .addColumn('source_type', 'varchar(36)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('schema', 'text')
    .addColumn('profile', 'text')
    .addUniqueConstraint('datasets_identity', ['experiment_id', 'name', 'digest'])
    .execute()

  await f
    .clusteredTable(
      db.schema
        .createTable('run_inputs')
        .addColumn('run_uuid', 'varchar(32)', (c) => c.notNull())
        .addColumn('dataset_uuid', 'varchar(36)', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        // The value of the input tag mlflow.data.context ("training", "eval"), kept apart because
        // search filters on it (datasets.context = 'training').
        .addColumn('context', 'varchar(500)')
        .addPrimaryKeyConstraint('run_inputs_pk', ['run_uuid', 'dataset_uuid']),
    )
    .execute()

  // MLflow clients address the Default experiment as "0" when none is set, so it must exist.
  const now = Date.now()
  await sql`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
    values ('0', 'Default', 'mlflow-artifacts:/0', 'active', ${now}, ${now})`.execute(db)
}
