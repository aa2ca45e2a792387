/** MLflow's tracking model: experiments hold runs; a run has info, data and inputs. */

export type LifecycleStage = 'active' | 'deleted'
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

export interface KeyValue {
  key: string
  value: string
}

export interface Experiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: LifecycleStage
  creationTime: number
  lastUpdateTime: number
  tags: KeyValue[]
}

export interface RunInfo {
  runId: string
  experimentId: string
  runName: string
  userId: string
  status: RunStatus
  startTime: number
  endTime?: number
  artifactUri: string
  lifecycleStage: LifecycleStage
}

/** One point of a metric. `value` may be NaN or ±Infinity, as MLflow allows. */
export interface Metric {
  key: string
  value: number
  timestamp: number
  step: number
}

export interface MetricWithRunId extends Metric {
  runId: string
}

export interface RunData {
  metrics: Metric[]
  params: KeyValue[]
  tags: KeyValue[]
}

export interface Dataset {
  name: string
  digest: string
  sourceType: string
  source: string
  schema?: string
  profile?: string
}

export interface DatasetInput {
  tags: KeyValue[]
  dataset: Dataset
}

export interface Run {
  info: RunInfo
  data: RunData
  inputs: { datasetInputs: DatasetInput[] }
}

export interface LogBatch {
  metrics: Metric[]
  params: KeyValue[]
  tags: KeyValue[]
}

/** System tags MLflow's UI and clients rely on (mlflow/utils/mlflow_tags.py). */
export const RUN_NAME_TAG = 'mlflow.runName'
export const USER_TAG = 'mlflow.user'
export const DATASET_CONTEXT_TAG = 'mlflow.data.context'
