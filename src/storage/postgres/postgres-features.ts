import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { DialectFeatures } from '../sql/dialect-features.js'
import { isUniqueViolation } from '../sql/translate-error.js'
import { METRIC_BLOCK_STEPS, UPSERT_METRIC_BLOCK_SET } from '../sql/tracking/metric-blocks.js'
import { POSTGRES_DAY_PARTITIONS, insertPredictionIds } from './postgres-partitions.js'

export const POSTGRES_FEATURES: DialectFeatures = Object.freeze<DialectFeatures>({
  name: 'postgres',
  ilike: (left, pattern) => sql<SqlBool>`${left} ilike ${pattern}`,
  clusteredTable: (builder) => builder,
  // Five array parameters instead of five per row: the statement text and its plan stay the
  // same whatever the batch size. Both writes share one snapshot and touch different tables.
  // Outside a transaction the points go in first without ON CONFLICT, whose speculative
  // insertion costs PostgreSQL about 40 % more per point; a re-sent point fails the whole
  // statement, which then runs again ignoring duplicates. Inside a transaction a failed
  // statement would abort it, so there duplicates are ignored from the start.
  async writeMetricPoints(db, p, latest) {
    const columns = sql`select * from unnest(${numberArray(p.seriesIds)}::bigint[], ${numberArray(p.steps)}::bigint[],
      ${numberArray(p.timestamps)}::bigint[], ${numberArray(p.values)}::float8[], ${numberArray(p.isNan)}::int[])`
    // Blocks summarize the rows the insert returns, so a re-sent point is not counted twice.
    const write = (onConflict: RawBuilder<unknown>) =>
      sql`with points as (insert into metrics (series_id, step, timestamp, value, is_nan) ${columns} ${onConflict}
        returning series_id, step, value, is_nan), blocks as (${BLOCKS_FROM_POINTS}) ${latest}`.execute(db)
    if (!db.isTransaction) {
      try {
        await write(sql``)
        return
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
      }
    }
    await write(sql`on conflict do nothing`)
  },
  partitionedByTime: (builder, column) => builder.modifyEnd(sql`partition by range (${sql.ref(column)})`),
  dayPartitions: POSTGRES_DAY_PARTITIONS,
  insertPredictionIds,
  probesOrderedWindow: false,
  // The wire protocol counts parameters in an int16.
  maxBindParameters: 65_000,
  bigint: 'bigint',
  double: 'double precision',
  binary: 'bytea',
  serial: 'bigserial',
})

const BLOCK_OF = sql`step / ${sql.lit(METRIC_BLOCK_STEPS)}`
const BLOCKS_FROM_POINTS = sql`insert into metric_blocks (series_id, block, points, step_min, step_max, min_value, min_step, max_value, max_step)
  select series_id, ${BLOCK_OF}, count(*), min(step), max(step),
    min(value) filter (where is_nan = 0), (array_agg(step order by value, step) filter (where is_nan = 0))[1],
    max(value) filter (where is_nan = 0), (array_agg(step order by value desc, step) filter (where is_nan = 0))[1]
  from points group by series_id, ${BLOCK_OF}
  on conflict (series_id, block) do update set ${sql.raw(UPSERT_METRIC_BLOCK_SET)}`

/**
 * A PostgreSQL array literal of numbers. pg would quote and regex-escape every element, a tenth
 * of a 1,000-point log-batch's CPU; numbers need neither. JavaScript prints safe integers in
 * full and doubles as the shortest string that reads back exactly (or Infinity/-Infinity, which
 * float8 accepts); NaN never gets here, it is stored as 0 with is_nan = 1.
 */
function numberArray(values: number[]): string {
  return `{${values.join(',')}}`
}
