import type { Kysely } from 'kysely'
import type { DownsampledSeries } from '../../../tracking/tracking-store.js'
import type { Database } from '../schema.js'
import type { MetricSeriesIds } from './sql-metric-series.js'

interface Extreme {
  step: number
  value: number
}

/** See TrackingStore.downsampleMetricHistory. */
export async function downsampleMetricHistory(
  db: Kysely<Database>,
  series: MetricSeriesIds,
  query: { runIds: string[]; key: string; points: number },
): Promise<DownsampledSeries[]> {
  return Promise.all(
    query.runIds.map(async (runId) => {
      const seriesId = await series.find(db, runId, query.key)
      if (seriesId === undefined) return { runId, steps: [], values: [], totalPoints: 0 }
      return { runId, ...(await downsampleOne(db, seriesId, query.points)) }
    }),
  )
}

async function downsampleOne(db: Kysely<Database>, seriesId: number, points: number): Promise<Omit<DownsampledSeries, 'runId'>> {
  const blocks = await db
    .selectFrom('metric_blocks')
    .select(['points', 'min_value', 'min_step', 'max_value', 'max_step'])
    .where('series_id', '=', seriesId)
    .orderBy('block')
    .execute()
  const totalPoints = blocks.reduce((sum, b) => sum + Number(b.points), 0)
  // Small histories go out whole: fewer rows than the blocks would describe.
  if (totalPoints <= points * 2) return { ...(await rawPoints(db, seriesId, points * 2)), totalPoints }
  const steps: number[] = []
  const values: number[] = []
  const perBucket = Math.ceil(blocks.length / points)
  for (let start = 0; start < blocks.length; start += perBucket) {
    let low: Extreme | undefined
    let high: Extreme | undefined
    for (const b of blocks.slice(start, start + perBucket)) {
      if (b.min_value === null || b.max_value === null) continue
      if (!low || b.min_value < low.value) low = { step: Number(b.min_step), value: b.min_value }
      if (!high || b.max_value > high.value) high = { step: Number(b.max_step), value: b.max_value }
    }
    if (!low || !high) continue
    // In step order, so the line runs through both extremes of the bucket.
    const [first, second] = low.step <= high.step ? [low, high] : [high, low]
    steps.push(first.step)
    values.push(first.value)
    if (second.step !== first.step) {
      steps.push(second.step)
      values.push(second.value)
    }
  }
  return { steps, values, totalPoints }
}

// Bounded even so: points written around the store (straight SQL) have no block summaries.
async function rawPoints(db: Kysely<Database>, seriesId: number, limit: number): Promise<{ steps: number[]; values: number[] }> {
  const rows = await db
    .selectFrom('metrics')
    .select(['step', 'value'])
    .where('series_id', '=', seriesId)
    .where('is_nan', '=', 0)
    .orderBy('step')
    .orderBy('timestamp')
    .limit(limit)
    .execute()
  return { steps: rows.map((r) => Number(r.step)), values: rows.map((r) => Number(r.value)) }
}
