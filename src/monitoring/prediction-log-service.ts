import type { Page } from '../shared/page.js'
import { AppError } from '../shared/errors.js'
import type { PredictionSink } from './prediction-logger.js'
import type { LoggedColumns, PredictionLog, PredictionLogQuery, PredictionLogStore } from './prediction-log-store.js'

const DAY_MS = 86_400_000
/** Records one ingestion request may carry: one transaction, a few MiB of SQL at most. */
export const MAX_INGEST_RECORDS = 10_000
export const MAX_LIST_RESULTS = 10_000
const DEFAULT_LIST_RESULTS = 100
const VALID_ID = /^[\x21-\x7e]{1,64}$/

/** Stored batches also go downstream (NATS JetStream) when a stream is configured. */
export interface PredictionStream {
  /** Queues the logs for publishing; never blocks or throws (failures are counted). */
  publish(logs: readonly PredictionLog[]): void
  /** Resolves once everything queued so far is published or given up. */
  flush(): Promise<void>
  close(): Promise<void>
}

export interface PredictionLogServiceOptions {
  store: PredictionLogStore
  /** The serving path's buffered logger; undefined when prediction logging is off. */
  sink?: PredictionSink & { flush(): Promise<void>; close(): Promise<void> }
  stream?: PredictionStream
  /** Days kept; 0 keeps logs forever. */
  retentionDays: number
  now?: () => number
  warn?: (message: string) => void
}

/**
 * Prediction logs for the API: batch ingestion of predictions made outside Plinth (acknowledged
 * once committed), listing, and the retention sweep. Serving writes through `sink` instead.
 */
export class PredictionLogService {
  readonly #options: PredictionLogServiceOptions
  #sweeper: NodeJS.Timeout | undefined
  #sweeping: Promise<unknown> | undefined

  constructor(options: PredictionLogServiceOptions) {
    this.#options = options
  }

  /** Where inference logs what it serves, or undefined when logging is off. */
  get sink(): PredictionSink | undefined {
    return this.#options.sink
  }

  /**
   * Stores a batch of logs, all or none, and resolves once it is committed; ids already stored
   * are skipped. Throws INVALID_PARAMETER_VALUE naming the first bad field.
   */
  async ingest(logs: readonly PredictionLog[]): Promise<number> {
    if (logs.length === 0) throw new AppError('INVALID_PARAMETER_VALUE', '"predictions" is empty; send 1 to 10000 prediction logs.')
    if (logs.length > MAX_INGEST_RECORDS) {
      throw new AppError('INVALID_PARAMETER_VALUE', `"predictions" holds ${logs.length} logs, more than the ${MAX_INGEST_RECORDS} one request may carry; split the batch.`)
    }
    logs.forEach(validateLog)
    await this.#options.store.appendBatch(logs)
    this.#options.stream?.publish(logs)
    return logs.length
  }

  /** Logs matching the query, oldest first. Throws INVALID_PARAMETER_VALUE for a bad bound or token. */
  list(query: Partial<PredictionLogQuery>): Promise<Page<PredictionLog>> {
    const maxResults = query.maxResults ?? DEFAULT_LIST_RESULTS
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_LIST_RESULTS) {
      throw new AppError('INVALID_PARAMETER_VALUE', `max_results must be a whole number from 1 to ${MAX_LIST_RESULTS}; got ${maxResults}.`)
    }
    for (const key of ['startTime', 'endTime'] as const) {
      const value = query[key]
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new AppError('INVALID_PARAMETER_VALUE', `${key === 'startTime' ? 'start_time' : 'end_time'} must be milliseconds since the epoch (a whole number ≥ 0); got ${value}.`)
      }
    }
    return this.#options.store.list({ ...query, maxResults })
  }

  getMany(predictionIds: readonly string[]): Promise<PredictionLog[]> {
    return this.#options.store.getMany(predictionIds)
  }

  /** Deletes logs past the retention period now; returns how many went (0 when kept forever). */
  async sweep(): Promise<number> {
    const days = this.#options.retentionDays
    if (days <= 0) return 0
    const now = this.#options.now?.() ?? Date.now()
    return this.#options.store.deleteOlderThan(now - days * DAY_MS)
  }

  /** Sweeps now and then every `intervalMs` (hourly); every replica may sweep, it is idempotent. */
  startRetention(intervalMs = 3_600_000): void {
    if (this.#sweeper || this.#options.retentionDays <= 0) return
    const run = () => {
      this.#sweeping ??= this.sweep()
        .catch((error: Error) => this.#options.warn?.(`prediction log retention sweep failed: ${error.message}`))
        .finally(() => (this.#sweeping = undefined))
    }
    run()
    this.#sweeper = setInterval(run, intervalMs).unref()
  }

  /** Writes what the serving buffer holds now, and publishes it downstream (tests, shutdown). */
  async flush(): Promise<void> {
    await this.#options.sink?.flush()
    await this.#options.stream?.flush()
  }

  /** Stops the sweep and writes what the serving buffer still holds. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#sweeper = undefined
    await this.#sweeping
    await this.#options.sink?.close()
    await this.#options.stream?.close()
  }
}

function validateLog(log: PredictionLog, index: number): void {
  const at = `predictions[${index}]`
  const fail = (message: string) => {
    throw new AppError('INVALID_PARAMETER_VALUE', `${at}.${message}`)
  }
  if (!VALID_ID.test(log.predictionId)) fail(`prediction_id must be 1 to 64 visible ASCII characters without spaces; got ${JSON.stringify(log.predictionId)}.`)
  text(log.model, 256) || fail('model must be 1 to 256 characters.')
  text(log.version, 64) || fail('version must be 1 to 64 characters.')
  if (log.deployment !== undefined && !text(log.deployment, 128)) fail('deployment must be 1 to 128 characters when given.')
  if (log.error !== undefined && !text(log.error, 64)) fail('error must be 1 to 64 characters (an error code) when given.')
  if (!Number.isSafeInteger(log.time) || log.time < 0) fail(`time must be milliseconds since the epoch (a whole number ≥ 0); got ${log.time}.`)
  if (!Number.isSafeInteger(log.rows) || log.rows < 0) fail(`rows must be a whole number ≥ 0; got ${log.rows}.`)
  if (!Number.isFinite(log.latencyMs) || log.latencyMs < 0) fail(`latency_ms must be a number ≥ 0; got ${log.latencyMs}.`)
  columns(log.inputs, log.rows, `${at}.inputs`)
  columns(log.outputs, log.rows, `${at}.outputs`)
}

function text(value: string, max: number): boolean {
  return value.length >= 1 && value.length <= max
}

function columns(value: LoggedColumns, rows: number, at: string): void {
  for (const [name, column] of Object.entries(value)) {
    if (column.length !== rows) {
      throw new AppError('INVALID_PARAMETER_VALUE', `${at}["${name}"] has ${column.length} values but the record has ${rows} rows; give one value per row.`)
    }
    for (let i = 0; i < column.length; i++) {
      const v = column[i]
      const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
      if (!ok) throw new AppError('INVALID_PARAMETER_VALUE', `${at}["${name}"][${i}] must be a number, string, boolean or null; got ${JSON.stringify(v)}.`)
    }
  }
}
