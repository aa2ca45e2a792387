import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely'
import { AppError } from '../../../shared/errors.js'
import type { KeyValue, LogBatch, Metric } from '../../../tracking/tracking-entities.js'
import { RUN_NAME_TAG } from '../../../tracking/tracking-entities.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database } from '../schema.js'
import { fromMetric } from './sql-row-mappers.js'
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
  const rows = metrics.map((m) => ({ key: m.key, ...fromMetric(ids.get(m.key)!, m) }))
  await features.insertMetricPoints(trx, rows)
  const newest = new Map<string, (typeof rows)[number]>()
  for (const row of rows) {
    const current = newest.get(row.key)
    if (!current || isNewer(row, current)) newest.set(row.key, row)
  }
  // MLflow's "latest" is the greatest (step, timestamp, value); the WHERE keeps an older point
  // arriving late from overwriting a newer one.
  await trx
    .insertInto('latest_metrics')
    .values([...newest.values()].map(({ key, step, timestamp, value, is_nan }) => ({ run_uuid: runId, key, step, timestamp, value, is_nan })))
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
    .execute()
  return created
}

function isNewer(a: { step: number; timestamp: number; value: number }, b: typeof a): boolean {
  if (a.step !== b.step) return a.step > b.step
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp
  return a.value > b.value
}
