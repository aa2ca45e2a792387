import { AppError, notFound } from '../shared/errors.js'
import type { Clock } from '../shared/clock.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import { newExperimentId, newRunId } from '../shared/ids.js'
import { decodeOffsetToken, type Page } from '../shared/page.js'
import { randomRunName } from './run-names.js'
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from './search-filter.js'
import type {
  DatasetInput,
  Experiment,
  KeyValue,
  LogBatch,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
  RunStatus,
  ViewType,
} from './tracking-entities.js'
import { RUN_NAME_TAG, RUN_STATUSES, USER_TAG } from './tracking-entities.js'
import {
  LIMITS,
  checkBatchSize,
  checkLength,
  checkTime,
  checkMaxResults,
  checkMetric,
  checkParam,
  checkRunTag,
  checkKey,
  requireValue,
} from './tracking-limits.js'
import { checkDatasetInputs } from './dataset-inputs.js'
import type { DownsampledSeries, TrackingStore } from './tracking-store.js'

export const DEFAULT_EXPERIMENT_ID = '0'

/** Buckets per run in a metric chart: about one per pixel column of a wide chart. */
const DEFAULT_CHART_POINTS = 1000
const MAX_CHART_POINTS = 10_000
/** Experiments without an explicit location keep artifacts in the proxied store, as MLflow's server. */
export const PROXIED_ARTIFACT_SCHEME = 'mlflow-artifacts:'

export interface SearchPageRequest {
  maxResults?: number
  pageToken?: string
  filter?: string
  orderBy?: string[]
  viewType?: ViewType
}

/**
 * Experiment tracking: validates every input once (MLflow's rules and limits), then calls the
 * store. All timestamps come from the injected clock unless the caller gives them.
 */
export class TrackingService {
  readonly #store: TrackingStore
  readonly #clock: Clock

  constructor(store: TrackingStore, clock: Clock = SYSTEM_CLOCK) {
    this.#store = store
    this.#clock = clock
  }

  async createExperiment(input: { name?: string; artifactLocation?: string; tags?: KeyValue[] }): Promise<string> {
    const name = requireValue(input.name, 'name')
    checkLength(name, LIMITS.experimentNameLength, `Experiment name '${name.slice(0, 40)}…'`)
    const tags = (input.tags ?? []).map((t) => this.#experimentTag(t))
    const experimentId = newExperimentId(this.#clock.now())
    const now = this.#clock.now()
    await this.#store.createExperiment({
      experimentId,
      name,
      artifactLocation: input.artifactLocation || `${PROXIED_ARTIFACT_SCHEME}/${experimentId}`,
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
      tags,
    })
    return experimentId
  }

  async getExperiment(experimentId: string | undefined): Promise<Experiment> {
    const id = requireValue(experimentId, 'experiment_id')
    const experiment = await this.#store.getExperiment(id)
    if (!experiment) throw notFound(`No Experiment with id=${id} exists`)
    return experiment
  }

  async getExperimentByName(name: string | undefined): Promise<Experiment> {
    const experimentName = requireValue(name, 'experiment_name')
    const experiment = await this.#store.getExperimentByName(experimentName)
    if (!experiment) throw notFound(`Could not find experiment with name '${experimentName}'`)
    return experiment
  }

  searchExperiments(request: SearchPageRequest): Promise<Page<Experiment>> {
    return this.#store.searchExperiments({
      view: request.viewType ?? 'ACTIVE_ONLY',
      filter: parseExperimentFilter(request.filter),
      orderBy: (request.orderBy ?? []).map(parseExperimentOrderBy),
      offset: decodeOffsetToken(request.pageToken),
      limit: checkMaxResults(request.maxResults, LIMITS.searchExperimentsDefault, LIMITS.searchExperimentsMaxResults, 'search_experiments'),
    })
  }

  async renameExperiment(experimentId: string | undefined, newName: string | undefined): Promise<void> {
    const experiment = await this.#activeExperiment(experimentId)
    const name = requireValue(newName, 'new_name')
    checkLength(name, LIMITS.experimentNameLength, `Experiment name '${name.slice(0, 40)}…'`)
    await this.#store.renameExperiment(experiment.experimentId, name, this.#clock.now())
  }

  async deleteExperiment(experimentId: string | undefined): Promise<void> {
    const experiment = await this.getExperiment(experimentId)
    if (experiment.experimentId === DEFAULT_EXPERIMENT_ID) {
      throw new AppError('INVALID_PARAMETER_VALUE', 'Cannot delete the default experiment \'0\'. It is where runs go when no experiment is set.')
    }
    await this.#store.setExperimentLifecycle(experiment.experimentId, 'deleted', this.#clock.now())
  }

  async restoreExperiment(experimentId: string | undefined): Promise<void> {
    const experiment = await this.getExperiment(experimentId)
    await this.#store.setExperimentLifecycle(experiment.experimentId, 'active', this.#clock.now())
  }

  async setExperimentTag(experimentId: string | undefined, tag: Partial<KeyValue>): Promise<void> {
    const experiment = await this.#activeExperiment(experimentId)
    await this.#store.setExperimentTag(experiment.experimentId, this.#experimentTag(tag))
  }

  async deleteExperimentTag(experimentId: string | undefined, key: string | undefined): Promise<void> {
    const experiment = await this.#activeExperiment(experimentId)
    const tagKey = requireValue(key, 'key')
    const deleted = await this.#store.deleteExperimentTag(experiment.experimentId, tagKey)
    if (!deleted) throw notFound(`No tag with name: ${tagKey} in experiment with id ${experiment.experimentId}`)
  }

  async createRun(input: {
    experimentId?: string
    userId?: string
    runName?: string
    startTime?: number
    tags?: KeyValue[]
  }): Promise<Run> {
    const experiment = await this.#activeExperiment(input.experimentId || DEFAULT_EXPERIMENT_ID)
    const tags = (input.tags ?? []).map(checkRunTag)
    const taggedName = tags.find((t) => t.key === RUN_NAME_TAG)?.value
    if (input.runName && taggedName && input.runName !== taggedName) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${taggedName}'). Give one of them.`)
    }
    const runName = checkLength(input.runName || taggedName || randomRunName(), LIMITS.runNameLength, 'Run name')
    const userId = checkLength(input.userId || tags.find((t) => t.key === USER_TAG)?.value || 'unknown', LIMITS.userIdLength, "Run user ('user_id' or the mlflow.user tag)")
    const runId = newRunId()
    const info: RunInfo = {
      runId,
      experimentId: experiment.experimentId,
      runName,
      userId,
      status: 'RUNNING',
      startTime: checkTime(input.startTime, 'start_time') ?? this.#clock.now(),
      artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
      lifecycleStage: 'active',
    }
    const allTags = [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: runName }]
    if (!allTags.some((t) => t.key === USER_TAG)) allTags.push({ key: USER_TAG, value: userId })
    await this.#store.createRun(info, allTags)
    return this.getRun(runId)
  }

  async getRun(runId: string | undefined): Promise<Run> {
    const id = requireValue(runId, 'run_id')
    const run = await this.#store.getRun(id)
    if (!run) throw notFound(`Run with id=${id} not found`)
    return run
  }

  async updateRun(input: { runId?: string; status?: string; endTime?: number; runName?: string }): Promise<RunInfo> {
    const info = await this.#activeRun(input.runId)
    if (input.status !== undefined && !RUN_STATUSES.includes(input.status as RunStatus)) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Invalid value '${input.status}' for parameter 'status' supplied. Use one of ${RUN_STATUSES.join(', ')}.`)
    }
    if (input.runName) checkLength(input.runName, LIMITS.runNameLength, 'Run name')
    await this.#store.updateRunInfo(info.runId, {
      status: input.status as RunStatus | undefined,
      endTime: checkTime(input.endTime, 'end_time'),
      runName: input.runName || undefined,
    })
    return (await this.#store.getRunInfo(info.runId))!
  }

  async deleteRun(runId: string | undefined): Promise<void> {
    const info = await this.#runInfo(runId)
    await this.#store.setRunLifecycle(info.runId, 'deleted', this.#clock.now())
  }

  async restoreRun(runId: string | undefined): Promise<void> {
    const info = await this.#runInfo(runId)
    await this.#store.setRunLifecycle(info.runId, 'active', null)
  }

  logMetric(runId: string | undefined, metric: Metric): Promise<void> {
    return this.logBatch(runId, { metrics: [metric], params: [], tags: [] })
  }

  logParam(runId: string | undefined, param: KeyValue): Promise<void> {
    return this.logBatch(runId, { metrics: [], params: [param], tags: [] })
  }

  setTag(runId: string | undefined, tag: KeyValue): Promise<void> {
    return this.logBatch(runId, { metrics: [], params: [], tags: [tag] })
  }

  async logBatch(runId: string | undefined, batch: LogBatch): Promise<void> {
    checkBatchSize(batch.metrics.length, batch.params.length, batch.tags.length)
    const metricKeys = new Set<string>()
    const checked: LogBatch = {
      metrics: batch.metrics.map((m) => checkMetric(m, metricKeys)),
      params: dedupeParams(batch.params.map(checkParam)),
      tags: batch.tags.map(checkRunTag),
    }
    const info = await this.#activeRun(runId)
    await this.#store.logBatch(info.runId, checked)
  }

  async deleteTag(runId: string | undefined, key: string | undefined): Promise<void> {
    const info = await this.#activeRun(runId)
    const tagKey = checkKey(requireValue(key, 'key'), 'tag')
    const deleted = await this.#store.deleteRunTag(info.runId, tagKey)
    if (!deleted) throw notFound(`No tag with name: ${tagKey} in run with id ${info.runId}`)
  }

  async logInputs(runId: string | undefined, inputs: DatasetInput[]): Promise<void> {
    const info = await this.#activeRun(runId)
    await this.#store.logInputs(info.runId, info.experimentId, checkDatasetInputs(inputs))
  }

  searchRuns(request: SearchPageRequest & { experimentIds?: string[] }): Promise<Page<Run>> {
    return this.#store.searchRuns({
      experimentIds: request.experimentIds ?? [],
      view: request.viewType ?? 'ACTIVE_ONLY',
      filter: parseRunFilter(request.filter),
      orderBy: (request.orderBy ?? []).map(parseRunOrderBy),
      offset: decodeOffsetToken(request.pageToken),
      limit: checkMaxResults(request.maxResults, LIMITS.searchRunsDefault, LIMITS.searchRunsMaxResults, 'search_runs'),
    })
  }

  async getMetricHistory(input: { runId?: string; metricKey?: string; maxResults?: number; pageToken?: string }): Promise<Page<Metric>> {
    const info = await this.#runInfo(input.runId)
    const key = requireValue(input.metricKey, 'metric_key')
    const limit = checkMaxResults(input.maxResults, LIMITS.metricHistoryPage, LIMITS.metricHistoryPage, 'get_metric_history')
    return this.#store.getMetricHistory(info.runId, key, { offset: decodeOffsetToken(input.pageToken), limit })
  }

  async sampleMetricHistory(input: {
    runIds?: string[]
    metricKey?: string
    maxResults?: number
    startStep?: number
    endStep?: number
  }): Promise<MetricWithRunId[]> {
    const runIds = [...new Set(requireValue(input.runIds?.length ? input.runIds : undefined, 'run_ids'))]
    if (runIds.length > LIMITS.bulkHistoryRuns) {
      throw new AppError('INVALID_PARAMETER_VALUE', `GetMetricHistoryBulkInterval request must specify at most ${LIMITS.bulkHistoryRuns} run_ids. Received ${runIds.length} run_ids.`)
    }
    const key = requireValue(input.metricKey, 'metric_key')
    const maxResults = checkMaxResults(input.maxResults, LIMITS.bulkHistoryDefault, LIMITS.bulkHistoryMaxResults, 'get-history-bulk-interval')
    if (input.startStep !== undefined && input.endStep !== undefined && input.startStep > input.endStep) {
      throw new AppError('INVALID_PARAMETER_VALUE', `end_step (${input.endStep}) must be greater than or equal to start_step (${input.startStep}).`)
    }
    for (const runId of runIds) await this.#runInfo(runId)
    return this.#store.sampleMetricHistory({ runIds, key, maxResults, startStep: input.startStep, endStep: input.endStep })
  }

  /**
   * Charts' view of a metric over several runs: at most `points` buckets per run, each keeping
   * its lowest and highest value (see TrackingStore.downsampleMetricHistory).
   */
  async downsampleMetricHistory(input: { runIds?: string[]; key?: string; points?: number }): Promise<DownsampledSeries[]> {
    const runIds = [...new Set(requireValue(input.runIds?.length ? input.runIds : undefined, 'run_ids'))]
    if (runIds.length > LIMITS.bulkHistoryRuns) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Ask for at most ${LIMITS.bulkHistoryRuns} run_ids at once; got ${runIds.length}.`)
    }
    const key = requireValue(input.key, 'key')
    const points = input.points ?? DEFAULT_CHART_POINTS
    if (!Number.isInteger(points) || points < 10 || points > MAX_CHART_POINTS) {
      throw new AppError('INVALID_PARAMETER_VALUE', `points must be an integer from 10 to ${MAX_CHART_POINTS}; got ${points}.`)
    }
    for (const runId of runIds) await this.#runInfo(runId)
    return this.#store.downsampleMetricHistory({ runIds, key, points })
  }

  /** The run's info, for callers (artifacts) that need its artifact URI; throws when unknown. */
  async getRunInfo(runId: string | undefined): Promise<RunInfo> {
    return this.#runInfo(runId)
  }

  #experimentTag(tag: Partial<KeyValue>): KeyValue {
    const key = checkKey(tag.key, 'tag')
    const value = requireValue(tag.value ?? undefined, 'value')
    checkLength(value, LIMITS.experimentTagValueLength, `Experiment tag value of tag '${key}'`)
    return { key, value }
  }

  async #activeExperiment(experimentId: string | undefined): Promise<Experiment> {
    const experiment = await this.getExperiment(experimentId)
    if (experiment.lifecycleStage !== 'active') {
      throw new AppError('INVALID_STATE', `The experiment ${experiment.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycleStage}. Restore it first.`)
    }
    return experiment
  }

  async #runInfo(runId: string | undefined): Promise<RunInfo> {
    const id = requireValue(runId, 'run_id')
    const info = await this.#store.getRunInfo(id)
    if (!info) throw notFound(`Run with id=${id} not found`)
    return info
  }

  async #activeRun(runId: string | undefined): Promise<RunInfo> {
    const info = await this.#runInfo(runId)
    if (info.lifecycleStage !== 'active') {
      throw new AppError('INVALID_PARAMETER_VALUE', `The run ${info.runId} must be in the 'active' state. Current state is ${info.lifecycleStage}. Restore it first.`)
    }
    return info
  }
}

/** The same param twice in one batch is fine if the values agree (MLflow dedupes them). */
function dedupeParams(params: KeyValue[]): KeyValue[] {
  const seen = new Map<string, string>()
  for (const p of params) {
    const before = seen.get(p.key)
    if (before !== undefined && before !== p.value) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Duplicate parameter keys have been submitted: '${p.key}' with values '${before}' and '${p.value}'. Please ensure the request contains only one param value per param key.`)
    }
    seen.set(p.key, p.value)
  }
  return [...seen].map(([key, value]) => ({ key, value }))
}
