import type { Generated } from 'kysely'
import type {
  AlertDeliveryTable,
  AlertEventTable,
  AlertTable,
  MonitorRunTable,
  MonitorSequenceTable,
  MonitorTable,
} from './monitor-schema.js'
import type { PipelineRunTable, PipelineStepAttemptTable, PipelineStepCacheTable, PipelineTable } from './pipeline-schema.js'
import type { PipelineTriggerCursorTable, PipelineTriggerSeenTable } from './pipeline-trigger-schema.js'

/**
 * The tables, as Kysely sees them. Timestamps are integer milliseconds, ids are strings made by
 * the application (house rule 14), so rows move between SQLite and PostgreSQL unchanged.
 */
export interface ExperimentTable {
  experiment_id: string
  name: string
  artifact_location: string
  lifecycle_stage: string
  creation_time: number
  last_update_time: number
}

export interface ExperimentTagTable {
  experiment_id: string
  key: string
  value: string
}

export interface RunTable {
  run_uuid: string
  experiment_id: string
  name: string
  user_id: string
  status: string
  start_time: number
  end_time: number | null
  lifecycle_stage: string
  artifact_uri: string
  deleted_time: number | null
}

export interface ParamTable {
  run_uuid: string
  key: string
  value: string
}

export interface TagTable {
  run_uuid: string
  key: string
  value: string
}

/** One metric key of one run; its points refer to it by `series_id`. */
export interface MetricSeriesTable {
  series_id: number
  run_uuid: string
  key: string
}

/** Every logged point; the primary key makes an exact duplicate point idempotent, as in MLflow. */
export interface MetricTable {
  series_id: number
  step: number
  timestamp: number
  value: number
  is_nan: number
}

/** Per series, the extremes of each block of steps (migration 0011); see tracking/metric-blocks.ts. */
export interface MetricBlockTable {
  series_id: number
  block: number
  points: number
  step_min: number
  step_max: number
  min_value: number | null
  min_step: number | null
  max_value: number | null
  max_step: number | null
}

/** The newest point per (run, key): what run listings and search filters read. */
export interface LatestMetricTable {
  run_uuid: string
  key: string
  step: number
  timestamp: number
  value: number
  is_nan: number
}

export interface DatasetTable {
  dataset_uuid: string
  experiment_id: string
  name: string
  digest: string
  source_type: string
  source: string
  schema: string | null
  profile: string | null
}

export interface RunInputTable {
  run_uuid: string
  dataset_uuid: string
  /** JSON array of {key, value}; input tags are only ever read with their input. */
  tags: string
  context: string | null
}

export interface ApiTokenTable {
  token_id: string
  name: string
  role: string
  secret_hash: string
  created_at: number
  revoked_at: number | null
}

export interface DeploymentTable {
  name: string
  /** JSON of DeploymentSpec. */
  spec: string
  revision: number
  created_at: number
  updated_at: number
  updated_by: string
}

export interface DeploymentRevisionTable {
  name: string
  revision: number
  spec: string
  created_at: number
  created_by: string
  reason: string
}

export interface RegisteredModelTable {
  name: string
  creation_time: number
  last_updated_time: number
  description: string | null
  /** The highest version number given out so far (deleted numbers are not reused). */
  last_version: number
  /** Counts alias changes, to order those made in the same millisecond. */
  alias_changes: number
}

export interface RegisteredModelTagTable {
  name: string
  key: string
  value: string
}

export interface ModelVersionTable {
  name: string
  version: number
  creation_time: number
  last_updated_time: number
  description: string | null
  user_id: string | null
  current_stage: string
  source: string
  run_id: string | null
  run_link: string | null
  status: string
  status_message: string | null
  download_uri: string
  sha256: string
  size_bytes: number
  storage_uri: string
  /** JSON of OnnxSignature. */
  signature: string
}

export interface ModelVersionTagTable {
  name: string
  version: number
  key: string
  value: string
}

export interface RegisteredModelAliasTable {
  name: string
  alias: string
  version: number
}

export interface AliasHistoryTable {
  history_id: string
  name: string
  alias: string
  from_version: number | null
  to_version: number | null
  user_id: string
  changed_at: number
  seq: number
}

/**
 * One logged inference request; inputs and outputs are JSON of LoggedColumns. The layout of
 * migration 0005, read only by migration 0012, which moves its rows into segments.
 */
export interface PredictionLogTable {
  prediction_id: string
  model: string
  version: string
  deployment: string | null
  time: number
  rows: number
  inputs: string
  outputs: string
  latency_ms: number
  error: string | null
}

/**
 * The records of one model, version and deployment in one minute, written together (migration
 * 0012). `ids` is the JSON array of their prediction ids in record order; `skip` the JSON array
 * of positions that are not records any more (an id stored before, or removed by retention).
 */
export interface PredictionLogSegmentTable {
  id: Generated<number>
  model: string
  version: string
  deployment: string | null
  min_time: number
  max_time: number
  records: number
  ids: string
  skip: string | null
  body: Uint8Array
}

/** Where each stored prediction id is: its segment and position there (migration 0012). */
export interface PredictionIdTable {
  prediction_id: string
  /** The segment's min_time: PostgreSQL partitions by it. */
  time: number
  segment_id: number
  position: number
}

/** Ground truth by prediction id (migration 0006); `label` is JSON. */
export interface PredictionFeedbackTable {
  prediction_id: string
  label: string
  prediction_time: number
  model: string
  version: string
  deployment: string | null
  received_at: number
}

export interface AuditLogTable {
  event_id: string
  time: number
  actor: string
  token_id: string | null
  method: string
  route: string
  /** JSON object of identifier name to value. */
  resource_ids: string
  status: number
  request_id: string
  remote_address: string
}

export interface Database {
  experiments: ExperimentTable
  experiment_tags: ExperimentTagTable
  runs: RunTable
  params: ParamTable
  tags: TagTable
  metric_series: MetricSeriesTable
  metrics: MetricTable
  metric_blocks: MetricBlockTable
  latest_metrics: LatestMetricTable
  datasets: DatasetTable
  run_inputs: RunInputTable
  api_tokens: ApiTokenTable
  deployments: DeploymentTable
  deployment_revisions: DeploymentRevisionTable
  registered_models: RegisteredModelTable
  registered_model_tags: RegisteredModelTagTable
  model_versions: ModelVersionTable
  model_version_tags: ModelVersionTagTable
  registered_model_aliases: RegisteredModelAliasTable
  alias_history: AliasHistoryTable
  prediction_logs: PredictionLogTable
  prediction_log_segments: PredictionLogSegmentTable
  prediction_log_ids: PredictionIdTable
  prediction_feedback: PredictionFeedbackTable
  monitors: MonitorTable
  monitor_runs: MonitorRunTable
  alerts: AlertTable
  alert_events: AlertEventTable
  monitor_sequences: MonitorSequenceTable
  alert_deliveries: AlertDeliveryTable
  pipelines: PipelineTable
  pipeline_runs: PipelineRunTable
  pipeline_step_attempts: PipelineStepAttemptTable
  pipeline_step_cache: PipelineStepCacheTable
  pipeline_trigger_cursors: PipelineTriggerCursorTable
  pipeline_trigger_seen: PipelineTriggerSeenTable
  audit_log: AuditLogTable
}

/** Kept so `Generated` stays importable for later tables with database-made columns. */
export type GeneratedColumn<T> = Generated<T>
