/** The JSON shapes the UI reads, as the server sends them (MLflow's snake_case). */
export interface KeyValue {
  key: string
  value: string
}

export interface Experiment {
  experiment_id: string
  name: string
  artifact_location?: string
  lifecycle_stage: string
  creation_time?: number
  last_update_time?: number
  tags?: KeyValue[]
}

export interface Metric {
  key: string
  value: number
  timestamp: number
  step: number
}

export interface RunInfo {
  run_id: string
  run_name?: string
  experiment_id: string
  user_id?: string
  status: string
  start_time?: number
  end_time?: number
  artifact_uri?: string
  lifecycle_stage: string
}

export interface Run {
  info: RunInfo
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }
  inputs?: unknown
}

export interface FileInfo {
  path: string
  is_dir?: boolean
  file_size?: number
}

export interface Tensor {
  name: string
  datatype: string
  shape: number[]
  dim_params?: Array<string | null>
}

export interface ModelVersion {
  name: string
  version: string
  creation_timestamp: number
  last_updated_timestamp?: number
  user_id?: string
  current_stage?: string
  description?: string
  source: string
  run_id?: string
  status: string
  status_message?: string
  tags?: KeyValue[]
  aliases?: string[]
  signature?: { inputs: Tensor[]; outputs: Tensor[]; ir_version?: number; producer_name?: string; producer_version?: string; opset_import?: unknown }
  sha256?: string
  size_bytes?: number
  storage_uri?: string
}

export interface RegisteredModel {
  name: string
  creation_timestamp: number
  last_updated_timestamp: number
  description?: string
  latest_versions?: ModelVersion[]
  tags?: KeyValue[]
  aliases?: Array<{ alias: string; version: string }>
}

export interface AliasChange {
  name: string
  alias: string
  from_version?: string
  to_version?: string
  user_id: string
  timestamp: number
}

export interface ModelTarget {
  model: string
  version?: string
  alias?: string
}

export interface Deployment {
  name: string
  revision: number
  routes: Array<ModelTarget & { weight: number }>
  shadow?: ModelTarget & { share: number }
  sticky_header?: string
  created_at: number
  updated_at: number
  updated_by: string
}

export interface DeploymentRevision {
  revision: number
  routes: Deployment['routes']
  shadow?: Deployment['shadow']
  created_at: number
  created_by: string
  reason: string
}

export interface TargetUse {
  deployment: string
  revision: number
  role: 'route' | 'shadow'
  model: string
  alias?: string
  version?: string
  resolved: boolean
  run_id?: string
  weight?: number
  share?: number
}

export interface Alert {
  id: string
  monitor: string
  deployment: string | null
  condition: string
  condition_type: string
  severity: string
  state: string
  since: number
  started_at: number | null
  resolved_at: number | null
  last_value: number | null
}

export interface AlertEvent {
  seq: number
  kind: string
  alert_id: string
  monitor: string
  condition: string
  severity: string
  value: number | null
  time: number
}

export interface PerformanceWindow {
  start_time: number
  end_time: number
  predictions: number
  labeled: number
  task: string
  metrics: Record<string, unknown>
  estimated: Record<string, unknown>
}

export interface DeploymentMonitoring {
  deployment: string
  start_time: number
  end_time: number
  monitors: Array<{ id: string; name: string; [key: string]: unknown }>
  drift_over_time: Record<string, Array<{ time: number; monitor: string; method: string; score: number | null; drift: boolean }>>
  latest_drift: { time: number; features: Array<{ feature: string; method: string; score: number | null; threshold: number; drift: boolean }>; share: number; dataset_drift: boolean } | null
  runs: Array<{ monitor: string; time: number; outcome: string; requests: number | null; error_rate: number | null; latency_p50_ms: number | null; latency_p99_ms: number | null; drift_share: number | null; error: string | null }>
  alerts: { firing: Alert[]; history: AlertEvent[] }
  performance_over_time: { window_ms: number; windows: PerformanceWindow[]; unavailable?: string; warnings?: string[] } | null
}

export interface PredictionLog {
  prediction_id: string
  model: string
  version: string
  deployment?: string
  time: number
  rows: number
  inputs: Record<string, unknown[]>
  outputs: Record<string, unknown[]>
  latency_ms: number
  error?: string
}
