import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/**
 * Prediction logs. Where the dialect partitions by day (PostgreSQL), the key must hold the
 * partition column, so it is (prediction_id, time) and the store checks ids across days itself;
 * its leading prediction_id still serves the feedback join's lookups by id. Partitions are made
 * by the store on demand, one per UTC day, and retention drops them whole. Two secondary
 * indexes only, every one costs each logged prediction: time (windows, retention) and model
 * (a model's windows); a deployment's window is read through the time index.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  const partitioned = f.dayPartitions !== undefined
  await f
    .partitionedByTime(
      db.schema
        .createTable('prediction_logs')
        .addColumn('prediction_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('model', 'varchar(256)', (c) => c.notNull())
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('deployment', 'varchar(128)')
        .addColumn('time', f.bigint, (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('outputs', 'text', (c) => c.notNull())
        .addColumn('latency_ms', f.double, (c) => c.notNull())
        .addColumn('error', 'varchar(64)')
        .addPrimaryKeyConstraint('prediction_logs_pk', partitioned ? ['prediction_id', 'time'] : ['prediction_id']),
      'time',
    )
    .execute()
  await db.schema.createIndex('prediction_logs_time').on('prediction_logs').columns(['time']).execute()
  await db.schema.createIndex('prediction_logs_model_time').on('prediction_logs').columns(['model', 'version', 'time']).execute()
}
