/**
 * The narrow interfaces a monitor run reads through, so monitors do not depend on how prediction
 * logs, performance or reference data are stored.
 */
import type { DriftFrame } from '../drift/detect-drift.js'
import type { LoggedValue, PredictionLogStore } from '../prediction-log-store.js'
import type { MonitorReference, PerformanceValue } from './monitor-entities.js'

/** Which logs a window covers: a deployment's, or a model's called directly. */
export interface WindowQuery {
  readonly deployment?: string
  readonly model?: string
  /** Inclusive, milliseconds. */
  readonly start: number
  /** Exclusive, milliseconds. */
  readonly end: number
}

/** What a run needs from one window of logs. */
export interface WindowData {
  readonly requests: number
  /** Rows in successful requests (each a row of the columns). */
  readonly rows: number
  /** Requests that reached a model and failed. */
  readonly errors: number
  /** Latency of every request in the window, unsorted. */
  readonly latenciesMs: Float64Array
  /** Logged input and output values by column, over successful requests, in time order. */
  readonly columns: ReadonlyMap<string, readonly LoggedValue[]>
  /** Whether columns stopped at the row cap (counts and latencies still cover every request). */
  readonly truncated: boolean
}

export interface MonitorDataSource {
  /** The window's traffic and logged values. */
  window(query: WindowQuery): Promise<WindowData>
}

/**
 * Realized (from ground truth) or estimated (CBPE) performance of a metric over a window;
 * undefined when there is nothing to compute it from. Implemented over the performance service.
 */
export interface PerformanceSource {
  performance(query: WindowQuery, metric: string): Promise<PerformanceValue | undefined>
}

/** The model (and version) a monitor's target serves right now. */
export interface ResolvedTarget {
  readonly deployment?: string
  readonly model: string
  readonly version?: string
}

export interface ReferenceSource {
  /** Resolves what a target serves, for labels and for the version's reference data. */
  resolve(target: { deployment: string } | { model: string; alias?: string }): Promise<ResolvedTarget>
  /**
   * Reference data as drift columns. Throws INVALID_PARAMETER_VALUE (reference missing or not a
   * CSV) or RESOURCE_DOES_NOT_EXIST (no such artifact).
   */
  load(reference: Exclude<MonitorReference, { kind: 'window' }>, target: ResolvedTarget): Promise<DriftFrame>
}

/** Rows of columns read from one window at most; more would hold too much in memory per run. */
export const DEFAULT_MAX_ROWS = 200_000
const PAGE = 1_000

/** The window data source over the prediction-log port. */
export class PredictionLogDataSource implements MonitorDataSource {
  readonly #logs: PredictionLogStore
  readonly #maxRows: number

  constructor(logs: PredictionLogStore, options: { maxRows?: number } = {}) {
    this.#logs = logs
    this.#maxRows = options.maxRows ?? DEFAULT_MAX_ROWS
  }

  async window(query: WindowQuery): Promise<WindowData> {
    const columns = new Map<string, LoggedValue[]>()
    const latencies: number[] = []
    let requests = 0
    let errors = 0
    let rows = 0
    let truncated = false
    let pageToken: string | undefined
    do {
      const page = await this.#logs.list({ deployment: query.deployment, model: query.model, startTime: query.start, endTime: query.end, maxResults: PAGE, pageToken })
      for (const log of page.items) {
        requests++
        latencies.push(log.latencyMs)
        if (log.error !== undefined) {
          errors++
          continue
        }
        if (rows + log.rows > this.#maxRows) {
          truncated = true
          continue
        }
        appendColumns(columns, rows, log.rows, log.inputs, log.outputs)
        rows += log.rows
      }
      pageToken = page.nextPageToken
    } while (pageToken)
    return { requests, rows, errors, latenciesMs: Float64Array.from(latencies), columns, truncated }
  }
}

/**
 * Appends one request's rows. A column missing from some requests is padded with nulls so every
 * column stays aligned by row; an output named like an input is kept as `output:<name>`.
 */
function appendColumns(columns: Map<string, LoggedValue[]>, before: number, count: number, inputs: Record<string, LoggedValue[]>, outputs: Record<string, LoggedValue[]>): void {
  const add = (name: string, values: LoggedValue[]) => {
    let column = columns.get(name)
    if (!column) {
      column = new Array<LoggedValue>(before).fill(null)
      columns.set(name, column)
    }
    for (let i = 0; i < count; i++) column.push(values[i] ?? null)
  }
  for (const [name, values] of Object.entries(inputs)) add(name, values)
  for (const [name, values] of Object.entries(outputs)) add(name in inputs ? `output:${name}` : name, values)
  for (const column of columns.values()) while (column.length < before + count) column.push(null)
}
