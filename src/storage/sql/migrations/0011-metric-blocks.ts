import { sql, type Kysely } from 'kysely'
import type { DialectFeatures } from '../dialect-features.js'
import { METRIC_BLOCK_STEPS } from '../tracking/metric-blocks.js'

/**
 * Per metric series, the lowest and highest value (with their steps) in each run of
 * METRIC_BLOCK_STEPS steps, kept by every metric write. A chart of a million points then reads
 * a few thousand block rows, and a spike still shows at its own step.
 */
export async function up(db: Kysely<unknown>, f: DialectFeatures): Promise<void> {
  await f
    .clusteredTable(
      db.schema
        .createTable('metric_blocks')
        .addColumn('series_id', f.bigint, (c) => c.notNull())
        .addColumn('block', f.bigint, (c) => c.notNull())
        .addColumn('points', f.bigint, (c) => c.notNull())
        .addColumn('step_min', f.bigint, (c) => c.notNull())
        .addColumn('step_max', f.bigint, (c) => c.notNull())
        // Null while every point of the block is NaN.
        .addColumn('min_value', f.double)
        .addColumn('min_step', f.bigint)
        .addColumn('max_value', f.double)
        .addColumn('max_step', f.bigint)
        .addPrimaryKeyConstraint('metric_blocks_pk', ['series_id', 'block']),
    )
    .execute()
  // Integer division truncates toward zero in both dialects, as Math.trunc does in the writers.
  await sql`insert into metric_blocks (series_id, block, points, step_min, step_max, min_value, max_value)
    select series_id, step / ${sql.lit(METRIC_BLOCK_STEPS)}, count(*), min(step), max(step),
      min(case when is_nan = 0 then value end), max(case when is_nan = 0 then value end)
    from metrics group by series_id, step / ${sql.lit(METRIC_BLOCK_STEPS)}`.execute(db)
  await sql`update metric_blocks set
    min_step = (select min(m.step) from metrics m where m.series_id = metric_blocks.series_id
      and m.step between metric_blocks.step_min and metric_blocks.step_max and m.is_nan = 0 and m.value = metric_blocks.min_value),
    max_step = (select min(m.step) from metrics m where m.series_id = metric_blocks.series_id
      and m.step between metric_blocks.step_min and metric_blocks.step_max and m.is_nan = 0 and m.value = metric_blocks.max_value)
    where min_value is not null`.execute(db)
}
