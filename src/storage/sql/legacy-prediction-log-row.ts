import type { Selectable } from 'kysely'
import type { LoggedColumns, PredictionLog } from '../../monitoring/prediction-log-store.js'
import type { PredictionLogTable } from './schema.js'

/** A row of the layout before migration 0012: one record, its columns as JSON. */
export function logOfRow(row: Selectable<PredictionLogTable>): PredictionLog {
  const log: PredictionLog = {
    predictionId: row.prediction_id,
    model: row.model,
    version: row.version,
    time: Number(row.time),
    rows: Number(row.rows),
    inputs: JSON.parse(row.inputs) as LoggedColumns,
    outputs: JSON.parse(row.outputs) as LoggedColumns,
    latencyMs: Number(row.latency_ms),
  }
  if (row.deployment !== null) log.deployment = row.deployment
  if (row.error !== null) log.error = row.error
  return log
}
