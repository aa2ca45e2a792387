import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import type { EndStatus, LogMetricOptions, RunInfo } from './client-types.js'
import type { HttpTransport, UploadSource } from './http-transport.js'
import type { MetricBuffer } from './metric-buffer.js'
import { encodeArtifactPath, proxiedArtifactRoot, wireDouble } from './wire-mappers.js'

const END_STATUSES: readonly EndStatus[] = ['FINISHED', 'FAILED', 'KILLED']

/** What a run needs from the client that started it. */
export interface ActiveRunContext {
  transport: HttpTransport
  buffer: MetricBuffer
  /** Told once the server has the run's final status, so the client stops watching it. */
  onEnded: (run: ActiveRun) => void
}

function checkKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || key === '') {
    throw new TypeError(`${what} key must be a non-empty string, got ${String(key)}`)
  }
  return key
}

/** MLflow params are strings; objects become JSON so `{ layers: [64, 32] }` stays readable. */
function stringifyParam(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  }
  return String(value)
}

/**
 * A run in progress, from `PlinthClient.startRun`. Logging calls return at once and are sent in
 * the background; `flush()` and `end()` are where delivery is confirmed and failures surface.
 */
export class ActiveRun {
  /** The run as the server created it; `status` and `endTime` are not updated locally. */
  readonly info: RunInfo
  readonly #transport: HttpTransport
  readonly #buffer: MetricBuffer
  readonly #onEnded: (run: ActiveRun) => void
  #ended = false
  #ending: Promise<void> | undefined

  /** @internal Runs are made by `PlinthClient.startRun`. */
  constructor(info: RunInfo, context: ActiveRunContext) {
    this.info = info
    this.#transport = context.transport
    this.#buffer = context.buffer
    this.#onEnded = context.onEnded
  }

  get runId(): string {
    return this.info.runId
  }

  get experimentId(): string {
    return this.info.experimentId
  }

  get runName(): string {
    return this.info.runName
  }

  get artifactUri(): string {
    return this.info.artifactUri
  }

  /** True once `end()` was called; logging after that throws. */
  get ended(): boolean {
    return this.#ended
  }

  /** Metrics, params and tags logged but not yet acknowledged by the server. */
  get pending(): number {
    return this.#buffer.pending
  }

  /**
   * Queues one metric value. `options` may be the step alone. Non-finite values are kept and
   * sent as "NaN"/"Infinity"/"-Infinity", which MLflow stores as such.
   */
  logMetric(key: string, value: number, options: LogMetricOptions | number = {}): void {
    this.#checkOpen()
    const { step = 0, timestamp = Date.now() } =
      typeof options === 'number' ? { step: options } : options
    checkKey(key, 'Metric')
    if (typeof value !== 'number') {
      throw new TypeError(`Metric '${key}' needs a number value, got ${typeof value}`)
    }
    if (!Number.isSafeInteger(step)) {
      throw new RangeError(`Metric '${key}' step must be an integer, got ${step}`)
    }
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new RangeError(
        `Metric '${key}' timestamp must be integer milliseconds, got ${timestamp}`,
      )
    }
    this.#buffer.addMetric({ key, value: wireDouble(value), timestamp, step })
  }

  /** Queues several metrics sharing one step and timestamp. */
  logMetrics(metrics: Record<string, number>, options: LogMetricOptions | number = {}): void {
    const shared = typeof options === 'number' ? { step: options } : options
    const timestamp = shared.timestamp ?? Date.now()
    for (const [key, value] of Object.entries(metrics)) {
      this.logMetric(key, value, { ...shared, timestamp })
    }
  }

  /**
   * Queues a param; non-strings are stringified. Logging the same value again is a no-op;
   * a different value throws at once, since MLflow params cannot change.
   */
  logParam(key: string, value: unknown): void {
    this.#checkOpen()
    this.#buffer.addParam({ key: checkKey(key, 'Param'), value: stringifyParam(value) })
  }

  logParams(params: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(params)) this.logParam(key, value)
  }

  /** Queues a tag; unlike params, tags may be overwritten, and the last value wins. */
  setTag(key: string, value: string): void {
    this.#checkOpen()
    this.#buffer.addTag({ key: checkKey(key, 'Tag'), value: String(value) })
  }

  setTags(tags: Record<string, string>): void {
    for (const [key, value] of Object.entries(tags)) this.setTag(key, value)
  }

  /**
   * Uploads a local file to `artifactPath` (a file path inside the run's artifacts, default
   * the file's base name), streaming it so large models never sit in memory.
   */
  async logArtifact(localPath: string, artifactPath: string = basename(localPath)): Promise<void> {
    const info = await stat(localPath)
    if (!info.isFile()) {
      throw new TypeError(`logArtifact needs a file; '${localPath}' is not one (see logArtifacts)`)
    }
    await this.#upload(artifactPath, {
      body: () => createReadStream(localPath),
      contentType: 'application/octet-stream',
      size: info.size,
    })
  }

  /** Uploads every file under `localDir`, keeping its layout, below `artifactDir`. */
  async logArtifacts(localDir: string, artifactDir = ''): Promise<void> {
    const entries = await readdir(localDir, { recursive: true, withFileTypes: true })
    for (const entry of entries) {
      if (!entry.isFile()) continue
      // `parentPath` is Node 21+; `path` is its older name.
      const parent = (entry as { parentPath?: string }).parentPath ?? entry.path
      const full = join(parent, entry.name)
      const rel = relative(localDir, full).split(sep).join('/')
      await this.logArtifact(full, artifactDir ? `${artifactDir}/${rel}` : rel)
    }
  }

  /** Writes `text` (UTF-8) as the artifact at `artifactPath`. */
  logText(text: string, artifactPath: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8')
    return this.#upload(artifactPath, {
      body: () => bytes,
      contentType: 'text/plain; charset=utf-8',
      size: bytes.length,
    })
  }

  /** Writes `value` as pretty-printed JSON at `artifactPath`. */
  logJSON(value: unknown, artifactPath: string): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8')
    return this.#upload(artifactPath, {
      body: () => bytes,
      contentType: 'application/json',
      size: bytes.length,
    })
  }

  /**
   * Waits until everything logged so far is acknowledged. Rejects with the first batch the
   * server refused (or that could not be delivered) since the last `flush()`/`end()`.
   */
  flush(): Promise<void> {
    return this.#buffer.flush()
  }

  /**
   * Flushes, then sets the run's status and end time. The run is ended on the server even if
   * the flush failed; that failure is then what `end()` rejects with. Calling again returns
   * the same promise.
   */
  end(status: EndStatus = 'FINISHED'): Promise<void> {
    if (!END_STATUSES.includes(status)) {
      const message = `Run status must be one of ${END_STATUSES.join(', ')}, got ${status}`
      return Promise.reject(new TypeError(message))
    }
    this.#ending ??= this.#finish(status)
    return this.#ending
  }

  async #finish(status: EndStatus): Promise<void> {
    this.#ended = true
    let flushError: unknown
    await this.#buffer.flush().catch((error: unknown) => {
      flushError = error
    })
    this.#buffer.stop()
    try {
      await this.#transport.post('runs/update', {
        run_id: this.runId,
        status,
        end_time: Date.now(),
      })
    } catch (error) {
      // Let a later end() try the update again, e.g. once the server is back.
      this.#ending = undefined
      throw flushError ?? error
    }
    this.#onEnded(this)
    if (flushError !== undefined) throw flushError
  }

  async #upload(artifactPath: string, source: UploadSource): Promise<void> {
    const path = encodeArtifactPath(artifactPath)
    if (path === '') throw new TypeError('Artifact path must name a file')
    const root = encodeArtifactPath(proxiedArtifactRoot(this.artifactUri))
    await this.#transport.putArtifact(root ? `${root}/${path}` : path, source)
  }

  #checkOpen(): void {
    if (this.#ended) throw new Error(`Run ${this.runId} has ended; start a new run to log more`)
  }
}
