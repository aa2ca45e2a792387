import type { LoggedColumns, PredictionLog } from './prediction-log-store.js'

/** A prediction log as the API and the NATS stream carry it: snake_case, times in milliseconds. */
export interface PredictionLogWire {
  prediction_id: string
  model: string
  version: string
  deployment?: string
  time: number
  rows: number
  inputs: LoggedColumns
  outputs: LoggedColumns
  latency_ms: number
  error?: string
}

export function predictionLogToWire(log: PredictionLog): PredictionLogWire {
  const wire: PredictionLogWire = {
    prediction_id: log.predictionId,
    model: log.model,
    version: log.version,
    time: log.time,
    rows: log.rows,
    inputs: log.inputs,
    outputs: log.outputs,
    latency_ms: log.latencyMs,
  }
  if (log.deployment !== undefined) wire.deployment = log.deployment
  if (log.error !== undefined) wire.error = log.error
  return wire
}
