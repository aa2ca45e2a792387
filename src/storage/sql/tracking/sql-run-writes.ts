import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely'
import { AppError } from '../../../shared/errors.js'
import type { KeyValue, LogBatch, Metric } from '../../../tracking/tracking-entities.js'
import { RUN_NAME_TAG } from '../../../tracking/tracking-entities.js'
import type { DialectFeatures, MetricPointColumns } from '../dialect-features.js'
import type { Database } from '../schema.js'
import { storedValue, toLatestMetricRow } from './sql-row-mappers.js'
import type { MetricSeriesIds } from './sql-metric-series.js'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Writes one log-batch inside the caller's transaction; see TrackingStore.logBatch. Returns the
 * metric series it created, for the caller to cache once the transaction has committed.
 */
export async function writeBatch(
  trx: Db,
  features: DialectFeatures,
  series: MetricSeriesIds,
  runId: string,
  batch: LogBatch,
): Promise<Map<string, number>> {
  if (batch.params.length > 0) await insertParams(trx, runId, batch.params)
  if (batch.tags.length > 0) await upsertTags(trx, runId, batch.tags)
  if (batch.metrics.length === 0) return new Map()
  return insertMetrics(trx, features, series, runId, batch.metrics)
}

async function insertParams(trx: Db, runId: string, params: KeyValue[]): Promise<void> {
  const keys = [...new Set(params.map((p) => p.key))]
  const existing = await trx
    .selectFrom('params')
    .select(['key', 'value'])
    .where('run_uuid', '=', runId)
    .where('key', 'in', keys)
    .execute()
  const logged = new Map(existing.map((p) => [p.key, p.value]))
  const changed = params.filter((p) => logged.has(p.key) && logged.get(p.key) !== p.value)
  if (changed.length > 0) {
    const was = changed.map((p) => ({ key: p.key, old_value: logged.get(p.key), new_value: p.value }))
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      `Changing param values is not allowed. Params were already logged='${JSON.stringify(was)}' for run ID='${runId}'. ` +
        'Log the new value under a new key, or start a new run.',
    )
  }
  const fresh = params.filter((p) => !logged.has(p.key))
  if (fresh.length === 0) return
  await trx
    .insertInto('params')
    .values(fresh.map((p) => ({ run_uuid: runId, key: p.key, value: p.value })))
    .onConflict((oc) => oc.doNothing())
    .execute()
}

export async function upsertTags(trx: Db, runId: string, tags: KeyValue[]): Promise<void> {
  const latest = new Map(tags.map((t) => [t.key, t.value]))
  await trx
    .insertInto('tags')
    .values([...latest].map(([key, value]) => ({ run_uuid: runId, key, value })))
    .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute()
  const runName = latest.get(RUN_NAME_TAG)
  if (runName !== undefined) {
    await trx.updateTable('runs').set({ name: runName }).where('run_uuid', '=', runId).execute()
  }
}

async function insertMetrics(
  trx: Db,
  features: DialectFeatures,
  series: MetricSeriesIds,
  runId: string,
  metrics: Metric[],
): Promise<Map<string, number>> {
  const { ids, created } = await series.resolve(trx, runId, [...new Set(metrics.map((m) => m.key))])
  await writeMetrics(trx, features, ids, runId, metrics)
  return created
}

/**
 * Writes metric points whose series ids are all known, with the latest value per key, all or
 * nothing: inside the caller's transaction, or as the whole of a metrics-only log-batch.
 */
export async function writeMetrics(
  db: Db,
  features: DialectFeatures,
  seriesIds: Map<string, number>,
  runId: string,
  metrics: Metric[],
): Promise<void> {
  const points: MetricPointColumns = { seriesIds: [], steps: [], timestamps: [], values: [], isNan: [] }
  const newest = new Map<string, Metric>()
  for (const m of metrics) {
    points.seriesIds.push(seriesIds.get(m.key)!)
    points.steps.push(m.step)
    points.timestamps.push(m.timestamp)
    points.values.push(storedValue(m))
    points.isNan.push(Number.isNaN(m.value) ? 1 : 0)
    const current = newest.get(m.key)
    if (!current || isNewer(m, current)) newest.set(m.key, m)
  }
  // MLflow's "latest" is the greatest (step, timestamp, value); the WHERE keeps an older point
  // arriving late from overwriting a newer one.
  const latest = db
    .insertInto('latest_metrics')
    .values([...newest.values()].map((m) => toLatestMetricRow(runId, m)))
    .onConflict((oc) =>
      oc
        .columns(['run_uuid', 'key'])
        .doUpdateSet((eb) => ({
          step: eb.ref('excluded.step'),
          timestamp: eb.ref('excluded.timestamp'),
          value: eb.ref('excluded.value'),
          is_nan: eb.ref('excluded.is_nan'),
        }))
        .where(
          sql<SqlBool>`excluded.step > latest_metrics.step or (excluded.step = latest_metrics.step and
            (excluded.timestamp > latest_metrics.timestamp or (excluded.timestamp = latest_metrics.timestamp
            and excluded.value > latest_metrics.value)))`,
        ),
    )
  await features.writeMetricPoints(db, points, latest)
}

/** The same order as the upsert's WHERE, on stored values (NaN as 0). */
function isNewer(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp
  return storedValue(a) > storedValue(b)
}
