/** Row types of migration 0007 (monitors and alerts); see schema.ts for the whole database. */

export interface MonitorTable {
  id: string
  name: string
  deployment: string | null
  model: string | null
  /** JSON of MonitorSpec. */
  spec: string
  enabled: number
  next_run_at: number
  lease_owner: string | null
  lease_until: number | null
  created_at: number
  updated_at: number
}

export interface MonitorRunTable {
  id: string
  monitor_id: string
  time: number
  outcome: string
  error: string | null
  /** JSON of MonitorRunResults. */
  results: string | null
}

export interface AlertTable {
  id: string
  monitor_id: string
  monitor_name: string
  deployment: string | null
  model: string | null
  condition_key: string
  condition_type: string
  severity: string
  state: string
  streak: number
  since: number
  started_at: number | null
  resolved_at: number | null
  last_value: number | null
  updated_at: number
}

export interface AlertEventTable {
  seq: number
  alert_id: string
  monitor_id: string
  monitor_name: string
  deployment: string | null
  model: string | null
  condition_key: string
  condition_type: string
  severity: string
  kind: string
  value: number | null
  started_at: number
  time: number
}

export interface MonitorSequenceTable {
  name: string
  value: number
}

export interface AlertDeliveryTable {
  id: string
  monitor_id: string
  alert_id: string
  /** JSON of DeliveryTarget. */
  target: string
  /** JSON body to POST. */
  payload: string
  status: string
  attempts: number
  next_attempt_at: number
  last_error: string | null
  lease_owner: string | null
  lease_until: number | null
  created_at: number
  updated_at: number
}
