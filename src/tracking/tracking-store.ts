import type { Page } from '../shared/page.js'
import type { FilterClause, OrderClause } from './search-filter-types.js'
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
  ViewType,
} from './tracking-entities.js'

export interface ExperimentQuery {
  view: ViewType
  filter: FilterClause[]
  orderBy: OrderClause[]
  offset: number
  limit: number
}

export interface RunQuery {
  experimentIds: string[]
  view: ViewType
  filter: FilterClause[]
  orderBy: OrderClause[]
  offset: number
  limit: number
}

export interface HistorySample {
  runIds: string[]
  key: string
  maxResults: number
  startStep?: number
  endStep?: number
}

/**
 * Persistence of experiments and runs. Inputs are already validated by TrackingService (house
 * rule 8); the store only enforces what needs the data: uniqueness and immutable params.
 * Every method is atomic. Any method may throw TEMPORARILY_UNAVAILABLE when the database is
 * unreachable or busy past its timeout.
 */
export interface TrackingStore {
  /** Inserts an experiment with its tags. Throws RESOURCE_ALREADY_EXISTS for a taken name. */
  createExperiment(experiment: Experiment): Promise<void>
  /** The experiment with its tags, or undefined. */
  getExperiment(experimentId: string): Promise<Experiment | undefined>
  /** The experiment of that exact name (active or deleted), or undefined. */
  getExperimentByName(name: string): Promise<Experiment | undefined>
  /** Experiments matching the query, ordered, one page. */
  searchExperiments(query: ExperimentQuery): Promise<Page<Experiment>>
  /** Renames; throws RESOURCE_ALREADY_EXISTS if the new name is taken. */
  renameExperiment(experimentId: string, name: string, now: number): Promise<void>
  /** Deletes or restores an experiment and, with it, its runs (as MLflow's SQL store does). */
  setExperimentLifecycle(experimentId: string, stage: LifecycleStage, now: number): Promise<void>
  /** Upserts one experiment tag. */
  setExperimentTag(experimentId: string, tag: KeyValue): Promise<void>
  /** Removes one experiment tag; false if it did not exist. */
  deleteExperimentTag(experimentId: string, key: string): Promise<boolean>

  /** Inserts a run and its initial tags. */
  createRun(info: RunInfo, tags: KeyValue[]): Promise<void>
  /** The run's info alone (cheap), or undefined. */
  getRunInfo(runId: string): Promise<RunInfo | undefined>
  /** The run with latest metrics, params, tags and dataset inputs, or undefined. */
  getRun(runId: string): Promise<Run | undefined>
  /** Changes status, end time or name; a new name is also written to the mlflow.runName tag. */
  updateRunInfo(
    runId: string,
    patch: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<void>
  /** Soft-deletes or restores a run. */
  setRunLifecycle(runId: string, stage: LifecycleStage, deletedTime: number | null): Promise<void>
  /**
   * Appends metrics (an exact duplicate point is a no-op), inserts params and upserts tags, all
   * or nothing. Throws INVALID_PARAMETER_VALUE if a param already holds a different value.
   * A mlflow.runName tag also renames the run.
   */
  logBatch(runId: string, batch: LogBatch): Promise<void>
  /** Removes one run tag; false if it did not exist. */
  deleteRunTag(runId: string, key: string): Promise<boolean>
  /** Records dataset inputs of a run; a dataset (experiment, name, digest) is stored once. */
  logInputs(runId: string, experimentId: string, inputs: DatasetInput[]): Promise<void>
  /** Runs matching the query, ordered, one page, with their data. */
  searchRuns(query: RunQuery): Promise<Page<Run>>

  /** Every point of one metric of one run, by step then timestamp, one page. */
  getMetricHistory(
    runId: string,
    key: string,
    page: { offset: number; limit: number },
  ): Promise<Page<Metric>>
  /**
   * At most `maxResults` points per run, at evenly spaced steps between the first and the last
   * step in range (both always included), so a chart of a million points costs a thousand reads.
   */
  sampleMetricHistory(sample: HistorySample): Promise<MetricWithRunId[]>
  /**
   * Each run's history of `key` cut into at most `points` buckets of steps, each given by its
   * lowest and highest value at their own steps (so a spike survives), from the block summaries
   * kept at write time; a history of at most 2 × `points` points comes back whole. NaN points
   * are left out. A run without the key gets empty arrays.
   */
  downsampleMetricHistory(query: { runIds: string[]; key: string; points: number }): Promise<DownsampledSeries[]>
}

/** One run's metric history for a chart: steps ascending, with their values. */
export interface DownsampledSeries {
  runId: string
  steps: number[]
  values: number[]
  /** Points stored for this run and key (NaN included), before downsampling. */
  totalPoints: number
}
