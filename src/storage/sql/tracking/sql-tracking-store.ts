import type { Kysely } from 'kysely'
import { randomUUID } from 'node:crypto'
import type { Page } from '../../../shared/page.js'
import { pageFromRows } from '../../../shared/page.js'
import type {
  DatasetInput,
  Experiment,
  KeyValue,
  LifecycleStage,
  LogBatch,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
  RunStatus,
} from '../../../tracking/tracking-entities.js'
import { DATASET_CONTEXT_TAG, RUN_NAME_TAG } from '../../../tracking/tracking-entities.js'
import type { DownsampledSeries, ExperimentQuery, HistorySample, RunQuery, TrackingStore } from '../../../tracking/tracking-store.js'
import type { DialectFeatures } from '../dialect-features.js'
import type { Database, RunTable } from '../schema.js'
import type { SqlDatabase } from '../sql-database.js'
import { translated } from '../translate-error.js'
import { SqlExperiments } from './sql-experiments.js'
import { readMetricHistory, sampleMetricHistory } from './sql-metric-history.js'
import { downsampleMetricHistory } from './sql-metric-downsample.js'
import { fromRunInfo, toRunInfo } from './sql-row-mappers.js'
import { hydrateRuns } from './sql-run-hydrator.js'
import { searchRunRows } from './sql-run-search.js'
import { MetricSeriesIds } from './sql-metric-series.js'
import { upsertTags, writeBatch, writeMetrics } from './sql-run-writes.js'

/** The TrackingStore over Kysely, for SQLite and PostgreSQL alike. */
export class SqlTrackingStore implements TrackingStore {
  readonly #db: Kysely<Database>
  readonly #features: DialectFeatures
  readonly #experiments: SqlExperiments
  readonly #series = new MetricSeriesIds()

  constructor(database: SqlDatabase) {
    this.#db = database.db
    this.#features = database.features
    this.#experiments = new SqlExperiments(database.db, database.features)
  }

  createExperiment(experiment: Experiment) {
    return this.#experiments.create(experiment)
  }
  getExperiment(experimentId: string) {
    return this.#experiments.get(experimentId)
  }
  getExperimentByName(name: string) {
    return this.#experiments.getByName(name)
  }
  searchExperiments(query: ExperimentQuery) {
    return this.#experiments.search(query)
  }
  renameExperiment(experimentId: string, name: string, now: number) {
    return this.#experiments.rename(experimentId, name, now)
  }
  setExperimentLifecycle(experimentId: string, stage: LifecycleStage, now: number) {
    return this.#experiments.setLifecycle(experimentId, stage, now)
  }
  setExperimentTag(experimentId: string, tag: KeyValue) {
    return this.#experiments.setTag(experimentId, tag)
  }
  deleteExperimentTag(experimentId: string, key: string) {
    return this.#experiments.deleteTag(experimentId, key)
  }

  createRun(info: RunInfo, tags: KeyValue[]): Promise<void> {
    return translated(
      () =>
        this.#db.transaction().execute(async (trx) => {
          await trx.insertInto('runs').values(fromRunInfo(info)).execute()
          if (tags.length > 0) await upsertTags(trx, info.runId, tags)
        }),
      () => `Run with id=${info.runId} already exists.`,
    )
  }

  getRunInfo(runId: string): Promise<RunInfo | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst()
      return row && toRunInfo(row)
    })
  }

  getRun(runId: string): Promise<Run | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst()
      return row && (await hydrateRuns(this.#db, [row]))[0]
    })
  }

  updateRunInfo(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }) {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        const set: Partial<RunTable> = {}
        if (patch.status !== undefined) set.status = patch.status
        if (patch.endTime !== undefined) set.end_time = patch.endTime
        if (patch.runName !== undefined) set.name = patch.runName
        if (Object.keys(set).length > 0) {
          await trx.updateTable('runs').set(set).where('run_uuid', '=', runId).execute()
        }
        if (patch.runName !== undefined) {
          await upsertTags(trx, runId, [{ key: RUN_NAME_TAG, value: patch.runName }])
        }
      }),
    )
  }

  setRunLifecycle(runId: string, stage: LifecycleStage, deletedTime: number | null) {
    return translated(async () => {
      await this.#db
        .updateTable('runs')
        .set({ lifecycle_stage: stage, deleted_time: deletedTime })
        .where('run_uuid', '=', runId)
        .execute()
    })
  }

  logBatch(runId: string, batch: LogBatch): Promise<void> {
    return translated(async () => {
      // The common case, metrics of series seen before, is one atomic write without BEGIN/COMMIT.
      const known = batch.params.length === 0 && batch.tags.length === 0 && batch.metrics.length > 0
        ? this.#series.cached(runId, batch.metrics.map((m) => m.key))
        : undefined
      if (known) return writeMetrics(this.#db, this.#features, known, runId, batch.metrics)
      const created = await this.#db
        .transaction()
        .execute((trx) => writeBatch(trx, this.#features, this.#series, runId, batch))
      this.#series.remember(runId, created)
    })
  }

  deleteRunTag(runId: string, key: string): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .deleteFrom('tags')
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    })
  }

  logInputs(runId: string, experimentId: string, inputs: DatasetInput[]): Promise<void> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        for (const input of inputs) {
          const d = input.dataset
          await trx
            .insertInto('datasets')
            .values({
              dataset_uuid: randomUUID(),
              experiment_id: experimentId,
              name: d.name,
              digest: d.digest,
              source_type: d.sourceType,
              source: d.source,
              schema: d.schema ?? null,
              profile: d.profile ?? null,
            })
            .onConflict((oc) => oc.doNothing())
            .execute()
          const { dataset_uuid } = await trx
            .selectFrom('datasets')
            .select('dataset_uuid')
            .where('experiment_id', '=', experimentId)
            .where('name', '=', d.name)
            .where('digest', '=', d.digest)
            .executeTakeFirstOrThrow()
          const context = input.tags.find((t) => t.key === DATASET_CONTEXT_TAG)?.value ?? null
          await trx
            .insertInto('run_inputs')
            .values({ run_uuid: runId, dataset_uuid, tags: JSON.stringify(input.tags), context })
            .onConflict((oc) =>
              oc.columns(['run_uuid', 'dataset_uuid']).doUpdateSet({ tags: JSON.stringify(input.tags), context }),
            )
            .execute()
        }
      }),
    )
  }

  searchRuns(query: RunQuery): Promise<Page<Run>> {
    return translated(async () => {
      if (query.experimentIds.length === 0) return { items: [] }
      const rows = await searchRunRows(this.#db, this.#features, query)
      const page = pageFromRows(rows, query.limit, query.offset)
      return { items: await hydrateRuns(this.#db, page.items), nextPageToken: page.nextPageToken }
    })
  }

  getMetricHistory(runId: string, key: string, page: { offset: number; limit: number }): Promise<Page<Metric>> {
    return translated(() => readMetricHistory(this.#db, this.#series, runId, key, page))
  }

  sampleMetricHistory(sample: HistorySample): Promise<MetricWithRunId[]> {
    return translated(() => sampleMetricHistory(this.#db, this.#series, sample))
  }

  downsampleMetricHistory(query: { runIds: string[]; key: string; points: number }): Promise<DownsampledSeries[]> {
    return translated(() => downsampleMetricHistory(this.#db, this.#series, query))
  }
}
