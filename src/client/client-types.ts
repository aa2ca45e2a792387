/**
 * The client's public shapes. Everything here is camelCase; the wire (MLflow REST 2.0) is
 * snake_case and is mapped in `wire-mappers.ts`, so callers never see protobuf JSON quirks.
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'

/** The statuses a run can be ended with. */
export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED'

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'

export interface RetryOptions {
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number
  /** Delay before the first retry; doubles each time, with jitter. Default 250 ms. */
  baseDelayMs?: number
  /** Ceiling for one delay, also for a server's `Retry-After`. Default 8000 ms. */
  maxDelayMs?: number
}

/** Where a batch that could not be logged came from, and how many items it took with it. */
export interface LogErrorContext {
  runId: string
  /** Metrics, params and tags in the failed request; they are not retried again. */
  dropped: number
}

export interface PlinthClientOptions {
  /**
   * Server root, e.g. `http://127.0.0.1:5000`. Defaults to env `PLINTH_TRACKING_URI`, then
   * `MLFLOW_TRACKING_URI`, then `http://127.0.0.1:5000`.
   */
  trackingUri?: string
  /**
   * Sent as `Authorization: Bearer`. Defaults to env `PLINTH_TRACKING_TOKEN`, then
   * `MLFLOW_TRACKING_TOKEN`.
   */
  token?: string
  /** With `password`, sent as HTTP Basic. Defaults to env `MLFLOW_TRACKING_USERNAME`. */
  username?: string
  /** Defaults to env `MLFLOW_TRACKING_PASSWORD`. */
  password?: string
  /** How often buffered metrics, params and tags are sent. Default 1000 ms. */
  flushIntervalMs?: number
  /** Per-request timeout for API calls (not artifact uploads). Default 60 000 ms. */
  requestTimeoutMs?: number
  retry?: RetryOptions
  /**
   * Called when a buffered batch is refused or cannot be delivered. The same error also rejects
   * the run's next `flush()` or `end()`; this hook is for hearing about it sooner.
   */
  onError?: (error: Error, context: LogErrorContext) => void
  /** Environment to read defaults from. Default `process.env`. */
  env?: Record<string, string | undefined>
  /** A `fetch` to use instead of the global one (proxies, tests). */
  fetch?: typeof globalThis.fetch
}

export interface StartRunOptions {
  /** Created if missing. Defaults to env `MLFLOW_EXPERIMENT_NAME`. */
  experimentName?: string
  /** Used when no name is given. Defaults to env `MLFLOW_EXPERIMENT_ID`, then `'0'` (Default). */
  experimentId?: string
  /** The server picks a random name when left out. */
  runName?: string
  tags?: Record<string, string>
  /** Milliseconds since the epoch. Default `Date.now()`. */
  startTime?: number
}

export interface LogMetricOptions {
  /** Default 0. Must be an integer. */
  step?: number
  /** Milliseconds since the epoch. Default `Date.now()` at the call. */
  timestamp?: number
}

export interface Experiment {
  experimentId: string
  name: string
  artifactLocation: string
  lifecycleStage: string
  creationTime?: number
  lastUpdateTime?: number
  tags: Record<string, string>
}

export interface RunInfo {
  runId: string
  experimentId: string
  runName: string
  userId: string
  status: RunStatus
  startTime: number
  endTime?: number
  artifactUri: string
  lifecycleStage: string
}

export interface Metric {
  key: string
  value: number
  timestamp: number
  step: number
}

export interface RunData {
  /** The latest value of each metric, with its step and timestamp. */
  metrics: Metric[]
  params: Record<string, string>
  tags: Record<string, string>
}

export interface Run {
  info: RunInfo
  data: RunData
}

export interface SearchRunsOptions {
  experimentIds: string[]
  /** MLflow search syntax, e.g. `metrics.loss < 0.1 and params.lr = '0.1'`. */
  filter?: string
  /** e.g. `['metrics.loss ASC', 'attributes.start_time DESC']`. */
  orderBy?: string[]
  maxResults?: number
  pageToken?: string
  runViewType?: ViewType
}

export interface SearchRunsPage {
  runs: Run[]
  /** Present when more runs match; pass it back as `pageToken`. */
  nextPageToken?: string
}
