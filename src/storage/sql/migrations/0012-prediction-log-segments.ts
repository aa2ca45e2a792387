import type { Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'
import { segmentsOfLogs } from '../log-segment-batch.js'
import { writeSegments } from '../log-segment-writes.js'
import type { Database } from '../schema.js'
import { logOfRow } from '../legacy-prediction-log-row.js'

/** Rows of the old table moved per transaction. */
const CHUNK = 5_000

/**
 * Prediction logs as segments: one row per model, version, deployment and minute of a written
 * batch, its records packed in a body (see log-segment-codec.ts), plus a narrow index from
 * prediction id to segment and position for the feedback join. A row per record with its
 * columns as JSON and three indexes cost the writer about 20 µs a record; a segment costs one
 * insert for a thousand records and one index entry each. Segments are few, so their indexes
 * are cheap: time, (model, version, time) and (deployment, time). On PostgreSQL both tables
 * are partitioned by UTC day of the segment's start, dropped together by retention. The rows of
 * the old `prediction_logs` table are moved into segments and the table dropped.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  const partitioned = f.dayPartitions !== undefined
  await f
    .partitionedByTime(
      db.schema
        .createTable('prediction_log_segments')
        .addColumn('id', f.serial, (c) => c.notNull())
        .addColumn('model', 'varchar(256)', (c) => c.notNull())
        .addColumn('version', 'varchar(64)', (c) => c.notNull())
        .addColumn('deployment', 'varchar(128)')
        .addColumn('min_time', f.bigint, (c) => c.notNull())
        .addColumn('max_time', f.bigint, (c) => c.notNull())
        .addColumn('records', 'integer', (c) => c.notNull())
        .addColumn('ids', 'text', (c) => c.notNull())
        .addColumn('skip', 'text')
        .addColumn('body', f.binary, (c) => c.notNull())
        .addPrimaryKeyConstraint('prediction_log_segments_pk', partitioned ? ['id', 'min_time'] : ['id']),
      'min_time',
    )
    .execute()
  await db.schema.createIndex('prediction_log_segments_time').on('prediction_log_segments').columns(['min_time']).execute()
  await db.schema.createIndex('prediction_log_segments_model_time').on('prediction_log_segments').columns(['model', 'version', 'min_time']).execute()
  await db.schema.createIndex('prediction_log_segments_deployment_time').on('prediction_log_segments').columns(['deployment', 'min_time']).execute()
  await f
    .partitionedByTime(
      f.clusteredTable(
        db.schema
          .createTable('prediction_log_ids')
          .addColumn('prediction_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('time', f.bigint, (c) => c.notNull())
          .addColumn('segment_id', f.bigint, (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('prediction_log_ids_pk', partitioned ? ['prediction_id', 'time'] : ['prediction_id']),
      ),
      'time',
    )
    .execute()
  await moveRowLayout(db as Kysely<Database>, f)
  await db.schema.dropTable('prediction_logs').execute()
}

/** Oldest first, in chunks by (time, id), so memory stays bounded whatever the table holds. Exported for its test. */
export async function moveRowLayout(db: Kysely<Database>, f: DialectFeatures): Promise<void> {
  const days = new Set<number>()
  let after: { time: number; id: string } | undefined
  for (;;) {
    let select = db.selectFrom('prediction_logs').selectAll()
    if (after) {
      const { time, id } = after
      select = select.where((eb) => eb.or([eb('time', '>', time), eb.and([eb('time', '=', time), eb('prediction_id', '>', id)])]))
    }
    const rows = await select.orderBy('time').orderBy('prediction_id').limit(CHUNK).execute()
    if (rows.length === 0) return
    await writeSegments(db, f, segmentsOfLogs(rows.map(logOfRow)), days)
    const last = rows[rows.length - 1]!
    after = { time: Number(last.time), id: last.prediction_id }
  }
}
