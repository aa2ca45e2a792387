import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'

/**
 * Ground-truth labels by prediction id. The prediction's time, model, version and deployment are
 * copied from its log when the label arrives, so performance windows read this table alone and
 * the logs may be partitioned or expire on their own schedule.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('prediction_feedback')
    .addColumn('prediction_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('prediction_time', f.bigint, (c) => c.notNull())
    .addColumn('model', 'varchar(256)', (c) => c.notNull())
    .addColumn('version', 'varchar(64)', (c) => c.notNull())
    .addColumn('deployment', 'varchar(128)')
    .addColumn('received_at', f.bigint, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('prediction_feedback_model_time').on('prediction_feedback').columns(['model', 'version', 'prediction_time']).execute()
  await db.schema.createIndex('prediction_feedback_deployment_time').on('prediction_feedback').columns(['deployment', 'prediction_time']).execute()
}
