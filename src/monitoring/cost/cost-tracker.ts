import { Counter, Gauge } from 'prom-client'
import type { PlinthMetrics } from '../../observability/metrics-registry.js'
import type { Tensor } from '../../serving/tensor-types.js'
import { apportion, costPer1000, pairId, workWeights, type PairWork, type VersionWork } from './cost-attribution.js'

export interface CostTrackerOptions {
  metrics: PlinthMetrics
  /** Price of one core-hour of CPU in the user's currency; 0 = no price (CPU figures only). */
  pricePerCoreHour: number
  /** Length of an attribution interval. Default 1000 ms. */
  intervalMs?: number
  /** The process's CPU clock; tests pass a fake. */
  cpuUsage?: () => NodeJS.CpuUsage
  /** Wall clock in ms since the epoch. */
  now?: () => number
}

/** One (version, deployment) pair: its labels, its work in the open interval and its totals. */
interface Pair extends PairWork {
  labels: { model: string; version: string; deployment: string }
  cpuSeconds: number
  predictions: number
  /** Predictions already added to the counter: it is brought up to date once per interval, off the request path. */
  exported: number
}

export interface CostSnapshotRow {
  model: string
  version: string
  deployment: string
  cpuSeconds: number
  predictions: number
}

/**
 * Measures the CPU time each model version and deployment costs (see cost-attribution.ts for how
 * process CPU is apportioned) and exports it: `plinth_model_cpu_seconds_total` and
 * `plinth_model_predictions_total` per model/version/deployment (counters, so they sum right
 * across workers and replicas), `plinth_cost_per_1000_predictions` (this process's figure; under
 * `--workers` the primary derives it from the summed counters), the configured price and when
 * counting began. Recording a request is a map lookup and three additions; the apportioning and
 * the counters' updates run once per interval and when metrics are read.
 */
export class CostTracker {
  readonly pricePerCoreHour: number
  /** When counting began, seconds since the epoch. */
  readonly sinceSeconds: number
  readonly #intervalMs: number
  readonly #cpuUsage: () => NodeJS.CpuUsage
  readonly #pairs = new Map<string, Pair>()
  readonly #runMs = new Map<string, number>()
  readonly #cpu: Counter<'model' | 'version' | 'deployment'>
  readonly #predictions: Counter<'model' | 'version' | 'deployment'>
  readonly #unattributed: Counter
  #last: NodeJS.CpuUsage
  #timer: NodeJS.Timeout | undefined
  #unattributedSeconds = 0

  constructor(options: CostTrackerOptions) {
    this.pricePerCoreHour = options.pricePerCoreHour
    this.#intervalMs = options.intervalMs ?? 1000
    this.#cpuUsage = options.cpuUsage ?? (() => process.cpuUsage())
    this.#last = this.#cpuUsage()
    this.sinceSeconds = (options.now ?? Date.now)() / 1000
    const registers = [options.metrics.registry]
    const sample = () => this.sample()
    this.#cpu = new Counter({
      name: 'plinth_model_cpu_seconds_total',
      help: 'Process CPU seconds attributed to a model version and deployment, in proportion to its inference and decoding time (docs/monitoring-cost.md).',
      labelNames: ['model', 'version', 'deployment'] as const,
      registers,
      collect: sample,
    })
    this.#predictions = new Counter({
      name: 'plinth_model_predictions_total',
      help: 'Rows predicted successfully, by model version and deployment: the denominator of the cost per 1,000 predictions.',
      labelNames: ['model', 'version', 'deployment'] as const,
      registers,
      collect: sample,
    })
    this.#unattributed = new Counter({
      name: 'plinth_cost_unattributed_cpu_seconds_total',
      help: 'Process CPU seconds in intervals with no model work (idle, tracking and registry calls), attributed to no model.',
      registers,
      collect: sample,
    })
    const tracker = this
    new Gauge({
      name: 'plinth_cost_per_1000_predictions',
      help: 'Cost of 1,000 predictions since counting began: attributed CPU core-hours × --price-per-core-hour ÷ predictions × 1,000. Absent without a price.',
      labelNames: ['model', 'version', 'deployment'] as const,
      registers,
      // Per-worker ratios cannot be summed; the --workers primary derives the gauge from the summed counters.
      aggregator: 'omit',
      collect() {
        tracker.sample()
        this.reset()
        for (const row of tracker.snapshot()) {
          const cost = costPer1000(row.cpuSeconds, row.predictions, tracker.pricePerCoreHour)
          if (cost !== undefined) this.set({ model: row.model, version: row.version, deployment: row.deployment }, cost)
        }
      },
    })
    new Gauge({
      name: 'plinth_cost_price_per_core_hour',
      help: 'The configured price of one CPU core-hour (--price-per-core-hour); 0 when none is set.',
      registers,
      aggregator: 'max',
    }).set(this.pricePerCoreHour)
    new Gauge({
      name: 'plinth_cost_since_timestamp_seconds',
      help: 'When CPU and prediction counting began (process start), seconds since the epoch.',
      registers,
      aggregator: 'min',
    }).set(this.sinceSeconds)
  }

  /** Starts closing an attribution interval every `intervalMs`. Idempotent. */
  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.sample(), this.#intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /**
   * A request served by `key` (`model/version`) through `deployment` ('' when called by name):
   * `rows` it asked for, `decodeMs` of main-thread decoding; `predicted` false for a request that
   * failed after decoding or a shadow's mirrored copy, which cost CPU but answered nobody.
   */
  served(key: string, deployment: string, rows: number, decodeMs: number, predicted: boolean): void {
    const pair = this.#pair(key, deployment)
    pair.rows += rows
    pair.decodeMs += decodeMs
    if (predicted) pair.predictions += rows
  }

  /** One batch computed by `key` (the model cache's onBatch). */
  batch(key: string, runMs: number): void {
    this.#runMs.set(key, (this.#runMs.get(key) ?? 0) + runMs)
  }

  /** Closes the open interval: its process CPU is apportioned to the pairs that worked in it. */
  sample(): void {
    const now = this.#cpuUsage()
    const cpuSeconds = (now.user - this.#last.user + (now.system - this.#last.system)) / 1e6
    this.#last = now
    const versions: VersionWork[] = [...this.#runMs].map(([key, runMs]) => ({ key, runMs }))
    const { cpuSeconds: shares, unattributedSeconds } = apportion(cpuSeconds, workWeights([...this.#pairs.values()], versions))
    for (const [id, seconds] of shares) {
      // The only pair the weights can name that no request made: a version's run time with no rows, under ''.
      const pair = this.#pairs.get(id) ?? this.#pair(id.slice(0, id.indexOf('\u0000')), '')
      pair.cpuSeconds += seconds
      this.#cpu.inc(pair.labels, seconds)
    }
    if (unattributedSeconds > 0) {
      this.#unattributedSeconds += unattributedSeconds
      this.#unattributed.inc(unattributedSeconds)
    }
    for (const pair of this.#pairs.values()) {
      pair.rows = pair.decodeMs = 0
      if (pair.predictions > pair.exported) {
        this.#predictions.inc(pair.labels, pair.predictions - pair.exported)
        pair.exported = pair.predictions
      }
    }
    this.#runMs.clear()
  }

  /** This process's totals per pair that has CPU or predictions. */
  snapshot(): CostSnapshotRow[] {
    return [...this.#pairs.values()]
      .filter((p) => p.cpuSeconds > 0 || p.predictions > 0)
      .map((p) => ({ ...p.labels, cpuSeconds: p.cpuSeconds, predictions: p.predictions }))
  }

  get unattributedSeconds(): number {
    return this.#unattributedSeconds
  }

  #pair(key: string, deployment: string): Pair {
    const id = pairId(key, deployment)
    let pair = this.#pairs.get(id)
    if (pair === undefined) {
      // A model name may itself hold '/', so the version is after the last one.
      const slash = key.lastIndexOf('/')
      const labels = { model: key.slice(0, slash), version: key.slice(slash + 1), deployment }
      pair = { key, deployment, rows: 0, decodeMs: 0, labels, cpuSeconds: 0, predictions: 0, exported: 0 }
      this.#pairs.set(id, pair)
    }
    return pair
  }
}

/** Predictions a request asks for: the first input's first dimension (1 for a scalar input). */
export function requestRows(inputs: readonly Tensor[]): number {
  const shape = inputs[0]?.shape
  if (shape === undefined) return 0
  return shape.length === 0 ? 1 : shape[0]!
}
