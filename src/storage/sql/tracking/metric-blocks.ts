import type { MetricPointColumns } from '../dialect-features.js'
import type { MetricBlockTable } from '../schema.js'

/** Steps per block: a million-step history is about 4,000 block rows. */
export const METRIC_BLOCK_STEPS = 256

/** The block of a step, as SQL's integer division computes it (toward zero). */
export function blockOf(step: number): number {
  return Math.trunc(step / METRIC_BLOCK_STEPS)
}

/** One block's summary of some points: the row metric_blocks keeps, or the part a write adds to it. */
export type MetricBlockRow = MetricBlockTable

/**
 * Summaries of the points a write stored, one per (series, block); `stored[i]` false skips a
 * re-sent point that the primary key ignored, so `points` counts each point once.
 */
export function summarizeBlocks(points: MetricPointColumns, stored?: boolean[]): MetricBlockRow[] {
  const byBlock = new Map<string, MetricBlockRow>()
  for (let i = 0; i < points.steps.length; i++) {
    if (stored && !stored[i]) continue
    const seriesId = points.seriesIds[i]!
    const step = points.steps[i]!
    const block = blockOf(step)
    const key = `${seriesId}:${block}`
    let row = byBlock.get(key)
    if (!row) {
      row = { series_id: seriesId, block, points: 0, step_min: step, step_max: step, min_value: null, min_step: null, max_value: null, max_step: null }
      byBlock.set(key, row)
    }
    addPoint(row, step, points.isNan[i] ? null : points.values[i]!)
  }
  return [...byBlock.values()]
}

function addPoint(row: MetricBlockRow, step: number, value: number | null): void {
  row.points++
  if (step < row.step_min) row.step_min = step
  if (step > row.step_max) row.step_max = step
  if (value === null) return
  if (row.min_value === null || value < row.min_value || (value === row.min_value && step < row.min_step!)) {
    row.min_value = value
    row.min_step = step
  }
  if (row.max_value === null || value > row.max_value || (value === row.max_value && step < row.max_step!)) {
    row.max_value = value
    row.max_step = step
  }
}

/**
 * Merges a write's summary into the stored block: counts add up, the extremes keep the more
 * extreme value (the stored one on a tie). Both dialects read `excluded` the same way.
 */
export const UPSERT_METRIC_BLOCK_SET = `points = metric_blocks.points + excluded.points,
  step_min = case when excluded.step_min < metric_blocks.step_min then excluded.step_min else metric_blocks.step_min end,
  step_max = case when excluded.step_max > metric_blocks.step_max then excluded.step_max else metric_blocks.step_max end,
  min_step = case when metric_blocks.min_value is null or excluded.min_value < metric_blocks.min_value then excluded.min_step else metric_blocks.min_step end,
  min_value = case when metric_blocks.min_value is null or excluded.min_value < metric_blocks.min_value then excluded.min_value else metric_blocks.min_value end,
  max_step = case when metric_blocks.max_value is null or excluded.max_value > metric_blocks.max_value then excluded.max_step else metric_blocks.max_step end,
  max_value = case when metric_blocks.max_value is null or excluded.max_value > metric_blocks.max_value then excluded.max_value else metric_blocks.max_value end`
