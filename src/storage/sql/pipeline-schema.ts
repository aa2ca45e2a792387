/** Pipeline tables (migration 0008), as Kysely sees them. */
export interface PipelineTable {
  name: string
  source: string
  version: number
  base_dir: string | null
  created_at: number
  updated_at: number
}

export interface PipelineRunTable {
  id: string
  pipeline: string
  pipeline_version: number
  source: string
  base_dir: string | null
  /** JSON object of strings. */
  params: string
  trigger_kind: string
  trigger_event_id: string | null
  /** JSON, when the trigger had a payload. */
  trigger_payload: string | null
  status: string
  created_at: number
  started_at: number | null
  ended_at: number | null
  error: string | null
  tracking_run_id: string | null
  resumed_from: string | null
  owner: string | null
  heartbeat_at: number | null
}

export interface PipelineStepAttemptTable {
  run_id: string
  step: string
  attempt: number
  status: string
  cache_key: string | null
  /** JSON AttemptRef. */
  cached_from: string | null
  ready_at: number | null
  started_at: number | null
  ended_at: number | null
  exit_code: number | null
  error: string | null
  output_params: string
  output_artifacts: string
  metrics: string
  log_uri: string | null
  tracking_run_id: string | null
  worker: string | null
}

export interface PipelineStepCacheTable {
  pipeline: string
  cache_key: string
  run_id: string
  step: string
  attempt: number
  created_at: number
}
