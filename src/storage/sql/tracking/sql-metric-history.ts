import { sql, type Kysely } from 'kysely'
import type { Page } from '../../../shared/page.js'
import { pageFromRows } from '../../../shared/page.js'
import type { Metric, MetricWithRunId } from '../../../tracking/tracking-entities.js'
import type { HistorySample } from '../../../tracking/tracking-store.js'
import type { Database } from '../schema.js'
import { toMetric } from './sql-row-mappers.js'

export async function readMetricHistory(
  db: Kysely<Database>,
  runId: string,
  key: string,
  page: { offset: number; limit: number },
): Promise<Page<Metric>> {
  const rows = await db
    .selectFrom('metrics')
    .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value')
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute()
  const result = pageFromRows(rows, page.limit, page.offset)
  return { items: result.items.map(toMetric), nextPageToken: result.nextPageToken }
}

/** See TrackingStore.sampleMetricHistory. */
export async function sampleMetricHistory(
  db: Kysely<Database>,
  sample: HistorySample,
): Promise<MetricWithRunId[]> {
  const perRun = await Promise.all(sample.runIds.map((runId) => sampleOneRun(db, runId, sample)))
  return perRun.flat()
}

async function sampleOneRun(
  db: Kysely<Database>,
  runId: string,
  sample: HistorySample,
): Promise<MetricWithRunId[]> {
  const range = db
    .selectFrom('metrics')
    .select('step')
    .where('run_uuid', '=', runId)
    .where('key', '=', sample.key)
    .$if(sample.startStep !== undefined, (q) => q.where('step', '>=', sample.startStep!))
    .$if(sample.endStep !== undefined, (q) => q.where('step', '<=', sample.endStep!))
  const [first, last] = await Promise.all([
    range.orderBy('step', 'asc').limit(1).executeTakeFirst(),
    range.orderBy('step', 'desc').limit(1).executeTakeFirst(),
  ])
  if (!first || !last) return []
  const steps = await pickSteps(db, runId, sample, Number(first.step), Number(last.step))
  const rows = await db
    .selectFrom('metrics')
    .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
    .where('run_uuid', '=', runId)
    .where('key', '=', sample.key)
    .where('step', 'in', steps)
    .orderBy('step')
    .orderBy('timestamp')
    .execute()
  // Several points may share a step; keep the newest per step so the count stays bounded.
  const byStep = new Map<number, MetricWithRunId>()
  for (const row of rows) byStep.set(Number(row.step), { ...toMetric(row), runId })
  return [...byStep.values()]
}

/**
 * Chooses up to maxResults steps that exist: for each evenly spaced target step, the first
 * logged step at or after it, found by an index seek, so the cost does not grow with history.
 */
async function pickSteps(
  db: Kysely<Database>,
  runId: string,
  sample: HistorySample,
  min: number,
  max: number,
): Promise<number[]> {
  const span = max - min
  if (span + 1 <= sample.maxResults) {
    const all = await db
      .selectFrom('metrics')
      .select('step')
      .distinct()
      .where('run_uuid', '=', runId)
      .where('key', '=', sample.key)
      .where('step', '>=', min)
      .where('step', '<=', max)
      .execute()
    if (all.length <= sample.maxResults) return all.map((r) => Number(r.step))
  }
  const count = Math.max(2, sample.maxResults)
  const targets = new Set<number>()
  for (let i = 0; i < count; i++) targets.add(min + Math.round((span * i) / (count - 1)))
  // Cast, or PostgreSQL types the bound VALUES as text.
  const values = sql.join([...targets].map((t) => sql`(cast(${t} as bigint))`))
  const rows = await sql<{ step: number | null }>`select distinct (select m.step from metrics m
      where m.run_uuid = ${runId} and m.key = ${sample.key} and m.step >= t.column1
      order by m.step limit 1) as step
    from (values ${values}) as t`.execute(db)
  return rows.rows.filter((r) => r.step !== null && Number(r.step) <= max).map((r) => Number(r.step))
}
