/**
 * The narrow interfaces a monitor run reads through, so monitors do not depend on how prediction
 * logs, performance or reference data are stored.
 */
import type { DriftFrame } from '../drift/detect-drift.js'
import type { LoggedValue, PredictionLogStore } from '../prediction-log-store.js'
import { mergeProfiles, profileColumns, type DataProfile } from '../profiles/column-profile.js'
import { toDriftFrame } from './monitor-evaluation.js'
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
  /**
   * When truncated: a mergeable profile of every successful row of the window, the rows past the
   * cap folded in a chunk at a time, so drift still covers the whole window in bounded memory.
   * Undefined when a column changed type between chunks (drift then reads the capped rows).
   */
  readonly profile?: DataProfile
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
/** Rows past the cap held at once before they are folded into the window's profile. */
const PROFILE_CHUNK_ROWS = 50_000
const PAGE = 1_000

/** The window data source over the prediction-log port. */
export class PredictionLogDataSource implements MonitorDataSource {
  readonly #logs: PredictionLogStore
  readonly #maxRows: number

  readonly #chunkRows: number

  constructor(logs: PredictionLogStore, options: { maxRows?: number; profileChunkRows?: number } = {}) {
    this.#logs = logs
    this.#maxRows = options.maxRows ?? DEFAULT_MAX_ROWS
    this.#chunkRows = options.profileChunkRows ?? PROFILE_CHUNK_ROWS
  }

  async window(query: WindowQuery): Promise<WindowData> {
    const columns = new Map<string, LoggedValue[]>()
    const latencies: number[] = []
    let requests = 0
    let errors = 0
    let rows = 0
    let truncated = false
    const overflow = new ProfileFolder(this.#chunkRows)
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
        if (truncated || rows + log.rows > this.#maxRows) {
          truncated = true
          overflow.add(log.rows, log.inputs, log.outputs)
          continue
        }
        appendColumns(columns, rows, log.rows, log.inputs, log.outputs)
        rows += log.rows
      }
      pageToken = page.nextPageToken
    } while (pageToken)
    const profile = truncated ? overflow.finish(columns) : undefined
    return { requests, rows, errors, latenciesMs: Float64Array.from(latencies), columns, truncated, ...(profile ? { profile } : {}) }
  }
}

/** Rows past the cap, profiled a chunk at a time and merged, so only one chunk is held raw. */
class ProfileFolder {
  readonly #chunkRows: number
  #chunk = new Map<string, LoggedValue[]>()
  #chunkFilled = 0
  #profile: DataProfile | undefined
  #failed = false

  constructor(chunkRows: number) {
    this.#chunkRows = chunkRows
  }

  add(count: number, inputs: Record<string, LoggedValue[]>, outputs: Record<string, LoggedValue[]>): void {
    if (this.#failed) return
    appendColumns(this.#chunk, this.#chunkFilled, count, inputs, outputs)
    this.#chunkFilled += count
    if (this.#chunkFilled >= this.#chunkRows) this.#fold(this.#chunk)
  }

  /** The profile of the kept rows and every folded chunk; undefined if they could not be merged. */
  finish(kept: ReadonlyMap<string, LoggedValue[]>): DataProfile | undefined {
    if (this.#chunkFilled > 0) this.#fold(this.#chunk)
    this.#fold(kept)
    return this.#failed ? undefined : this.#profile
  }

  #fold(columns: ReadonlyMap<string, LoggedValue[]>): void {
    if (!this.#failed) {
      try {
        const part = profileColumns(toDriftFrame(columns))
        this.#profile = this.#profile ? mergeProfiles(this.#profile, part) : part
      } catch {
        // A column numeric in one chunk and text in another cannot merge; the capped rows remain.
        this.#failed = true
        this.#profile = undefined
      }
    }
    this.#chunk = new Map()
    this.#chunkFilled = 0
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
