import { writeSync } from 'node:fs'
import { userInfo } from 'node:os'
import { ActiveRun } from './active-run.js'
import { resolveClientConfig, type ResolvedClientConfig } from './client-config.js'
import { PlinthApiError } from './client-errors.js'
import type {
  Experiment,
  Metric,
  PlinthClientOptions,
  Run,
  SearchRunsOptions,
  SearchRunsPage,
  StartRunOptions,
} from './client-types.js'
import { HttpTransport } from './http-transport.js'
import { MetricBuffer } from './metric-buffer.js'
import {
  experimentFromWire,
  metricFromWire,
  runFromWire,
  runInfoFromWire,
  toKeyValues,
  type Wire,
} from './wire-mappers.js'

const DEFAULT_EXPERIMENT_ID = '0'

function currentUser(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username
  } catch {
    // Containers often run as a uid with no passwd entry.
    return env.USER ?? env.LOGNAME ?? 'unknown'
  }
}

/**
 * Client for a Plinth (or any MLflow 2.x) tracking server. Logging on a run is buffered and
 * sent in the background; runs still open when the process runs out of work are flushed.
 *
 * @example
 * ```ts
 * import { PlinthClient } from 'plinth'
 *
 * const plinth = new PlinthClient({ trackingUri: 'http://127.0.0.1:5000' })
 * const run = await plinth.startRun({ experimentName: 'churn', runName: 'lr-1' })
 * run.logParams({ lr: 0.1, epochs: 10 })
 * for (let epoch = 0; epoch < 10; epoch++) run.logMetric('loss', 1 / (epoch + 1), { step: epoch })
 * await run.logArtifact('./model.onnx', 'model/model.onnx')
 * await run.end()
 * ```
 */
export class PlinthClient {
  readonly #config: ResolvedClientConfig
  readonly #env: Record<string, string | undefined>
  readonly #transport: HttpTransport
  /** Runs not yet ended, with their buffers, for the exit hooks and `close()`. */
  readonly #open = new Map<ActiveRun, MetricBuffer>()
  #hooked = false
  #closed = false

  constructor(options: PlinthClientOptions = {}) {
    this.#config = resolveClientConfig(options)
    this.#env = options.env ?? process.env
    this.#transport = new HttpTransport(this.#config)
  }

  /** The server root in use, without a trailing slash. */
  get trackingUri(): string {
    return this.#config.trackingUri
  }

  /**
   * Creates a run, and its experiment if `experimentName` names none yet. Without a name or
   * id, uses env `MLFLOW_EXPERIMENT_NAME`, then `MLFLOW_EXPERIMENT_ID`, then experiment '0'.
   */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    if (this.#closed) throw new Error('PlinthClient is closed')
    const experimentId = await this.#experimentIdFor(options)
    const user = currentUser(this.#env)
    const tags: Record<string, string> = {
      'mlflow.user': user,
      'mlflow.source.type': 'LOCAL',
      ...(process.argv[1] ? { 'mlflow.source.name': process.argv[1] } : {}),
      ...options.tags,
    }
    const response = await this.#transport.post<Wire>('runs/create', {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      user_id: user,
      tags: toKeyValues(tags),
    })
    const info = runInfoFromWire(response.run?.info ?? {})
    const buffer = new MetricBuffer({
      runId: info.runId,
      flushIntervalMs: this.#config.flushIntervalMs,
      send: (body) => this.#transport.post('runs/log-batch', body),
      onError: this.#config.onError,
    })
    const run = new ActiveRun(info, {
      transport: this.#transport,
      buffer,
      onEnded: (ended) => this.#forget(ended),
    })
    this.#open.set(run, buffer)
    this.#hook()
    return run
  }

  /** The experiment with this name (active or deleted), or undefined when there is none. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const response = await this.#transport.get<Wire>('experiments/get-by-name', {
        experiment_name: name,
      })
      return experimentFromWire(response.experiment ?? {})
    } catch (error) {
      if (error instanceof PlinthApiError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
        return undefined
      }
      throw error
    }
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const response = await this.#transport.get<Wire>('experiments/get', {
      experiment_id: experimentId,
    })
    return experimentFromWire(response.experiment ?? {})
  }

  /** Creates an experiment and returns its id; rejects with RESOURCE_ALREADY_EXISTS if taken. */
  async createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: Record<string, string> } = {},
  ): Promise<string> {
    const response = await this.#transport.post<Wire>('experiments/create', {
      name,
      artifact_location: options.artifactLocation,
      tags: options.tags ? toKeyValues(options.tags) : undefined,
    })
    return String(response.experiment_id)
  }

  async getRun(runId: string): Promise<Run> {
    const response = await this.#transport.get<Wire>('runs/get', { run_id: runId })
    return runFromWire(response.run ?? {})
  }

  /** One page of runs; follow `nextPageToken` for more. */
  async searchRuns(options: SearchRunsOptions): Promise<SearchRunsPage> {
    const response = await this.#transport.post<Wire>('runs/search', {
      experiment_ids: options.experimentIds,
      filter: options.filter,
      max_results: options.maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
      run_view_type: options.runViewType,
    })
    const runs = Array.isArray(response.runs) ? response.runs.map(runFromWire) : []
    const token = response.next_page_token
    return typeof token === 'string' && token !== '' ? { runs, nextPageToken: token } : { runs }
  }

  /** Every recorded value of one metric, across all the server's pages. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const metrics: Metric[] = []
    const seen = new Set<string>()
    let pageToken: string | undefined
    do {
      const response = await this.#transport.get<Wire>('metrics/get-history', {
        run_id: runId,
        metric_key: key,
        page_token: pageToken,
      })
      if (Array.isArray(response.metrics)) metrics.push(...response.metrics.map(metricFromWire))
      const next = response.next_page_token
      pageToken = typeof next === 'string' && next !== '' ? next : undefined
      // A server that hands back a token it already gave would otherwise loop forever.
      if (pageToken !== undefined && seen.has(pageToken)) break
      if (pageToken !== undefined) seen.add(pageToken)
    } while (pageToken !== undefined)
    return metrics
  }

  /** Sets one tag on any run right away (not buffered). */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.#transport.post('runs/set-tag', { run_id: runId, key, value })
  }

  /**
   * Flushes every open run and detaches the process hooks. Runs are not ended: they stay
   * RUNNING on the server until their own `end()`. Rejects with the first flush failure.
   */
  async close(): Promise<void> {
    this.#closed = true
    const results = await Promise.allSettled([...this.#open.keys()].map((run) => run.flush()))
    this.#unhook()
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw failed.reason
  }

  async #experimentIdFor(options: StartRunOptions): Promise<string> {
    const name =
      options.experimentName ??
      (options.experimentId === undefined ? this.#env.MLFLOW_EXPERIMENT_NAME : undefined)
    if (!name)
      return options.experimentId ?? this.#env.MLFLOW_EXPERIMENT_ID ?? DEFAULT_EXPERIMENT_ID
    const existing = await this.getExperimentByName(name)
    if (existing) return existing.experimentId
    try {
      return await this.createExperiment(name)
    } catch (error) {
      // Another process created it between our lookup and our create: use theirs.
      if (error instanceof PlinthApiError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const created = await this.getExperimentByName(name)
        if (created) return created.experimentId
      }
      throw error
    }
  }

  #forget(run: ActiveRun): void {
    this.#open.delete(run)
    if (this.#open.size === 0) this.#unhook()
  }

  // Arrow properties, so the very same functions can be removed again.
  readonly #onBeforeExit = (): void => {
    // The loop is about to empty: sending keeps it alive; once all is sent this fires again
    // with nothing pending and the process exits. settle() never rejects, and failures stay
    // queued for the runs' next flush()/end() and the exit warning.
    for (const buffer of this.#open.values()) {
      if (buffer.pending > 0) void buffer.settle()
    }
  }

  readonly #onExit = (): void => {
    let lost = 0
    let failed = 0
    for (const buffer of this.#open.values()) {
      lost += buffer.pending
      failed += buffer.unreportedErrors
    }
    const notes: string[] = []
    if (lost > 0) notes.push(`${lost} metric/param/tag item(s) were never sent and are lost`)
    if (failed > 0) notes.push(`${failed} log batch(es) were refused or undeliverable`)
    if (notes.length === 0) return
    // 'exit' allows no async work; a synchronous write is the only way to be heard.
    writeSync(2, `plinth: ${notes.join('; ')}. Await run.end() or plinth.close() before exiting.\n`)
  }

  /** One pair of listeners per client, and only while it has open runs. */
  #hook(): void {
    if (this.#hooked) return
    this.#hooked = true
    process.on('beforeExit', this.#onBeforeExit)
    process.on('exit', this.#onExit)
  }

  #unhook(): void {
    if (!this.#hooked) return
    this.#hooked = false
    process.off('beforeExit', this.#onBeforeExit)
    process.off('exit', this.#onExit)
  }
}
