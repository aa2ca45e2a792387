import type { PlinthMetrics } from '../observability/metrics-registry.js'
import type { BatchObservation } from '../serving/dynamic-batcher.js'
import type { ModelCache } from '../serving/model-cache.js'
import { parseVersionKey, type ServedVersion } from './serving-plan.js'

export type Protocol = 'v2' | 'v1' | 'mlflow'

/** Why a request failed, as `plinth_inference_failures_total` labels it. */
export type FailureReason = 'bad_input' | 'overloaded' | 'model_failed' | 'not_found' | 'internal'

export type ShadowOutcome = 'ok' | 'failed' | 'dropped'

type Labels = Record<string, string>

/**
 * The plinth_inference_* and plinth_shadow_* metrics, with label sets built once per route and
 * reused, so a request costs a few increments and no string building.
 */
export class InferenceMetrics {
  readonly #metrics: PlinthMetrics
  readonly #routes = new Map<string, RouteMetrics>()
  readonly #batches = new Map<string, Labels>()

  constructor(metrics: PlinthMetrics) {
    this.#metrics = metrics
  }

  /** Metrics of requests served by one version through one name and protocol. */
  route(served: ServedVersion, deployment: string, protocol: Protocol): RouteMetrics {
    const id = `${served.key}\u0000${deployment}\u0000${protocol}`
    let route = this.#routes.get(id)
    if (route === undefined) {
      route = new RouteMetrics(this.#metrics, { model: served.model, version: String(served.version), deployment }, protocol)
      this.#routes.set(id, route)
    }
    return route
  }

  /** A request that failed before any version was chosen (unknown name, unreachable registry). */
  unrouted(protocol: Protocol, reason: FailureReason): void {
    // The name is left out on purpose: callers choose it, and each would be a new time series.
    this.route(UNROUTED, '', protocol).failed(reason, 0)
  }

  requestStarted(): void {
    this.#metrics.inFlight.inc()
  }

  requestFinished(): void {
    this.#metrics.inFlight.dec()
  }

  batch(key: string, observation: BatchObservation): void {
    let labels = this.#batches.get(key)
    if (labels === undefined) {
      const { model, version } = parseVersionKey(key)
      labels = { model, version: String(version) }
      this.#batches.set(key, labels)
    }
    // A request that never queued has no queue time to report (and skipping it saves the hot path a histogram).
    if (!observation.direct) this.#metrics.queueSeconds.observe(labels, observation.queueWaitMs / 1000)
    this.#metrics.computeSeconds.observe(labels, observation.runMs / 1000)
    this.#metrics.batchSize.observe(labels, observation.rows)
  }

  /** After a model is loaded or unloaded. */
  models(cache: ModelCache): void {
    this.#metrics.modelsLoaded.set(cache.snapshot().filter((m) => m.status === 'ready').length)
    const memory = this.#metrics.modelMemoryBytes
    memory.reset()
    for (const m of cache.snapshot()) {
      if (m.status !== 'ready') continue
      const { model, version } = parseVersionKey(m.key)
      memory.set({ model, version: String(version) }, m.memoryBytes)
    }
  }

  shadow(deployment: string, served: ServedVersion, outcome: ShadowOutcome): void {
    this.#metrics.shadowRequests.inc({ deployment, model: served.model, version: String(served.version), outcome })
  }

  shadowComparison(deployment: string, differenceRatio: number | undefined, disagree: boolean): void {
    if (differenceRatio !== undefined) this.#metrics.shadowDifference.observe({ deployment }, differenceRatio)
    if (disagree) this.#metrics.shadowDisagreements.inc({ deployment })
  }
}

const UNROUTED: ServedVersion = { model: '', version: 0, key: '' }

export class RouteMetrics {
  readonly #metrics: PlinthMetrics
  readonly #ok: Labels
  readonly #error: Labels
  readonly #timing: Labels
  readonly #failures = new Map<FailureReason, Labels>()

  constructor(metrics: PlinthMetrics, labels: { model: string; version: string; deployment: string }, protocol: Protocol) {
    this.#metrics = metrics
    if (labels.model === '') labels.version = ''
    this.#ok = { ...labels, protocol, outcome: 'ok' }
    this.#error = { ...labels, protocol, outcome: 'error' }
    this.#timing = labels
  }

  succeeded(seconds: number): void {
    this.#metrics.inferenceRequests.inc(this.#ok)
    this.#metrics.totalSeconds.observe(this.#timing, seconds)
  }

  failed(reason: FailureReason, seconds: number): void {
    let labels = this.#failures.get(reason)
    if (labels === undefined) {
      labels = { ...this.#timing, reason }
      this.#failures.set(reason, labels)
    }
    this.#metrics.inferenceRequests.inc(this.#error)
    this.#metrics.inferenceFailures.inc(labels)
    if (seconds > 0) this.#metrics.totalSeconds.observe(this.#timing, seconds)
  }
}
