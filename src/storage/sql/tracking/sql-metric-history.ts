import { sql, type Kysely } from 'kysely'
import type { Page } from '../../../shared/page.js'
import { pageFromRows } from '../../../shared/page.js'
import type { Metric, MetricWithRunId } from '../../../tracking/tracking-entities.js'
import type { HistorySample } from '../../../tracking/tracking-store.js'
import type { Database } from '../schema.js'
import { toMetric } from './sql-row-mappers.js'
import type { MetricSeriesIds } from './sql-metric-series.js'

export async function readMetricHistory(
  db: Kysely<Database>,
  series: MetricSeriesIds,
  runId: string,
  key: string,
  page: { offset: number; limit: number },
): Promise<Page<Metric>> {
  const seriesId = await series.find(db, runId, key)
  if (seriesId === undefined) return { items: [] }
  const rows = await db
    .selectFrom('metrics')
    .select(['value', 'timestamp', 'step', 'is_nan'])
    .where('series_id', '=', seriesId)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value')
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute()
  const result = pageFromRows(rows, page.limit, page.offset)
  return { items: result.items.map((r) => toMetric({ ...r, key })), nextPageToken: result.nextPageToken }
}

/** See TrackingStore.sampleMetricHistory. */
export async function sampleMetricHistory(
  db: Kysely<Database>,
  series: MetricSeriesIds,
  sample: HistorySample,
): Promise<MetricWithRunId[]> {
  const perRun = await Promise.all(
    sample.runIds.map(async (runId) => {
      const seriesId = await series.find(db, runId, sample.key)
      return seriesId === undefined ? [] : sampleOneSeries(db, seriesId, runId, sample)
    }),
  )
  return perRun.flat()
}

async function sampleOneSeries(
  db: Kysely<Database>,
  seriesId: number,
  runId: string,
  sample: HistorySample,
): Promise<MetricWithRunId[]> {
  const range = db
    .selectFrom('metrics')
    .select('step')
    .where('series_id', '=', seriesId)
    .$if(sample.startStep !== undefined, (q) => q.where('step', '>=', sample.startStep!))
    .$if(sample.endStep !== undefined, (q) => q.where('step', '<=', sample.endStep!))
  const [first, last] = await Promise.all([
    range.orderBy('step', 'asc').limit(1).executeTakeFirst(),
    range.orderBy('step', 'desc').limit(1).executeTakeFirst(),
  ])
  if (!first || !last) return []
  const steps = await pickSteps(db, seriesId, sample.maxResults, Number(first.step), Number(last.step))
  const rows = await db
    .selectFrom('metrics')
    .select(['value', 'timestamp', 'step', 'is_nan'])
    .where('series_id', '=', seriesId)
    .where('step', 'in', steps)
    .orderBy('step')
    .orderBy('timestamp')
    .execute()
  // Several points may share a step; keep the newest per step so the count stays bounded.
  const byStep = new Map<number, MetricWithRunId>()
  for (const row of rows) byStep.set(Number(row.step), { ...toMetric({ ...row, key: sample.key }), runId })
  return [...byStep.values()]
}

/**
 * Chooses up to maxResults steps that exist: for each evenly spaced target step, the first
 * logged step at or after it, found by an index seek, so the cost does not grow with history.
 */
async function pickSteps(
  db: Kysely<Database>,
  seriesId: number,
  maxResults: number,
  min: number,
  max: number,
): Promise<number[]> {
  const span = max - min
  if (span + 1 <= maxResults) {
    const all = await db
      .selectFrom('metrics')
      .select('step')
      .distinct()
      .where('series_id', '=', seriesId)
      .where('step', '>=', min)
      .where('step', '<=', max)
      .execute()
    if (all.length <= maxResults) return all.map((r) => Number(r.step))
  }
  const count = Math.max(2, maxResults)
  const targets = new Set<number>()
  for (let i = 0; i < count; i++) targets.add(min + Math.round((span * i) / (count - 1)))
  // Cast, or PostgreSQL types the bound VALUES as text.
  const values = sql.join([...targets].map((t) => sql`(cast(${t} as bigint))`))
  const rows = await sql<{ step: number | null }>`select distinct (select m.step from metrics m
      where m.series_id = ${seriesId} and m.step >= t.column1
      order by m.step limit 1) as step
    from (values ${values}) as t`.execute(db)
  return rows.rows.filter((r) => r.step !== null && Number(r.step) <= max).map((r) => Number(r.step))
}
