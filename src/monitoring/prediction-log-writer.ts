import { unpackPredictions, type PackedPredictions } from './packed-predictions.js'
import type { ServedPrediction } from './prediction-logger.js'
import type { PredictionLog, PredictionLogStore } from './prediction-log-store.js'
import { rowsOf, tensorsToColumns } from './tensor-columns.js'

/**
 * Turns a batch of served predictions into stored logs, all or nothing. Where that work runs
 * (this thread, or a worker thread with its own connection) is the writer's business: the
 * conversion and the SQL are most of logging's cost, and the event loop serves requests.
 */
export interface PredictionLogWriter {
  write(batch: PackedPredictions): Promise<void>
  close(): Promise<void>
}

/** A stored log as published downstream: its id and its wire JSON. */
export interface EncodedLog {
  id: string
  json: string
}

/** Writes on this thread, through the store; for in-memory databases and tests. */
export class InlinePredictionLogWriter implements PredictionLogWriter {
  readonly #store: PredictionLogStore
  readonly #onStored: ((logs: readonly PredictionLog[]) => void) | undefined

  constructor(store: PredictionLogStore, onStored?: (logs: readonly PredictionLog[]) => void) {
    this.#store = store
    this.#onStored = onStored
  }

  async write(batch: PackedPredictions): Promise<void> {
    const logs = unpackPredictions(batch).map(toLog)
    await this.#store.appendBatch(logs)
    this.#onStored?.(logs)
  }

  async close(): Promise<void> {}
}

/** Tensors become columns off the request path: in the writer (inline, NATS) or when a stored log is read. */
export function toLog(p: ServedPrediction): PredictionLog {
  const log: PredictionLog = {
    predictionId: p.predictionId,
    model: p.model,
    version: p.version,
    time: p.time,
    rows: rowsOf(p.inputs),
    inputs: tensorsToColumns(p.inputs),
    outputs: tensorsToColumns(p.outputs),
    latencyMs: p.latencyMs,
  }
  if (p.deployment) log.deployment = p.deployment
  if (p.error !== undefined) log.error = p.error
  return log
}
