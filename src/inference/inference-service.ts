import type { IncomingHttpHeaders } from 'node:http'
import { newPredictionId } from '../monitoring/prediction-ids.js'
import type { PredictionSink, ServedPrediction } from '../monitoring/prediction-logger.js'
import type { PlinthMetrics } from '../observability/metrics-registry.js'
import { CostTracker, requestRows } from '../monitoring/cost/cost-tracker.js'
import type { InferenceEngine } from '../serving/inference-engine.js'
import { ModelCache, type ModelCacheEvent, type ModelLease } from '../serving/model-cache.js'
import { OnnxInferenceEngine } from '../serving/onnx/onnx-inference-engine.js'
import type { ModelSignature, Tensor } from '../serving/tensor-types.js'
import { AppError, isAppError } from '../shared/errors.js'
import { ChangeWatcher } from './change-watcher.js'
import { InferenceMetrics, type FailureReason, type Protocol } from './inference-metrics.js'
import type { ModelCatalog } from './model-catalog.js'
import { addedVersions, PlanCache } from './plan-cache.js'
import { PreparedPlan, type VersionLoad } from './prepared-plan.js'
import { parseVersionKey, type ServedVersion, type ServingPlan } from './serving-plan.js'
import { ShadowMirror, type DecodedRequest } from './shadow-mirror.js'

export interface InferenceServiceOptions {
  catalog: ModelCatalog
  metrics: PlinthMetrics
  /** Default: onnxruntime-node. */
  engine?: InferenceEngine
  /** Rows per dynamic batch; 0 or 1 turns batching off. */
  maxBatchSize: number
  maxQueueDelayMs: number
  /** Requests allowed to wait per version; past it, TEMPORARILY_UNAVAILABLE with retryAfterSeconds. */
  maxQueueSize: number
  /** Bytes loaded models may hold; undefined for no limit. */
  memoryBudgetBytes?: number
  /** Pause between change-marker polls. Default 1000 ms. */
  pollIntervalMs?: number
  /** Wait before a failed load is retried (doubling). Default 5 s. */
  retryBackoffMs?: number
  /** Mirrored requests in flight at most; more are dropped. Default 64. */
  maxShadowPending?: number
  /** Price of a CPU core-hour for the cost metrics; 0 or undefined = CPU figures only. */
  pricePerCoreHour?: number
  /** Where every request that reached a model is logged (prediction logging); none when off. */
  predictions?: PredictionSink
}

export interface InferCall<D extends DecodedRequest> {
  name: string
  /** An exact version (`/versions/<n>`); else what `name` resolves to. */
  version?: string
  protocol: Protocol
  /** For a deployment's sticky header. */
  headers?: IncomingHttpHeaders
  /** Turns the caller's body into tensors for this signature; throws INVALID_PARAMETER_VALUE. */
  decode(signature: ModelSignature): D
  /** The id the prediction is logged under (and returned to the caller); made here when absent. */
  predictionId?: string
}

export interface InferResult<D> {
  outputs: Tensor[]
  request: D
  served: ServedVersion
  /** The deployment's name, or '' when a model was called directly. */
  deployment: string
}

export interface ModelMetadata {
  name: string
  versions?: string[]
  platform: string
  signature: ModelSignature
}

type Phase = 'load' | 'decode' | 'infer'

/**
 * Serves inference for the HTTP routes: resolves names through the catalog (cached until the
 * catalog's change marker moves), routes deployments by weight or sticky header, mirrors a share
 * to a shadow, loads versions through the model cache, bounds each version's queue and records
 * the plinth_inference_* metrics. Requests hold a lease on their version, so a version swapped
 * out by an alias move stays loaded until the requests using it are done.
 */
export class InferenceService {
  readonly #options: InferenceServiceOptions
  readonly #catalog: ModelCatalog
  readonly #metrics: InferenceMetrics
  readonly #cache: ModelCache
  readonly #plans: PlanCache<PreparedPlan>
  readonly #watcher: ChangeWatcher
  readonly #shadow: ShadowMirror
  readonly #cost: CostTracker
  readonly #loads = new Map<string, VersionLoad>()
  readonly #predictions: PredictionSink | undefined
  #warn: ((message: string) => void) | undefined

  constructor(options: InferenceServiceOptions) {
    this.#options = options
    this.#catalog = options.catalog
    this.#predictions = options.predictions
    this.#metrics = new InferenceMetrics(options.metrics)
    this.#cost = new CostTracker({ metrics: options.metrics, pricePerCoreHour: options.pricePerCoreHour ?? 0 })
    const batching = options.maxBatchSize > 1 ? { maxBatchSize: options.maxBatchSize, maxQueueDelayMs: options.maxQueueDelayMs, maxQueueSize: options.maxQueueSize } : undefined
    this.#cache = new ModelCache({
      engine: options.engine ?? new OnnxInferenceEngine(),
      loader: (key) => {
        const { model, version } = parseVersionKey(key)
        return this.#catalog.openModel(model, version)
      },
      ...(options.memoryBudgetBytes ? { memoryBudgetBytes: options.memoryBudgetBytes } : {}),
      ...(options.retryBackoffMs !== undefined ? { retryBackoffMs: options.retryBackoffMs } : {}),
      ...(batching ? { batching } : {}),
      onBatch: (key, observation) => {
        this.#metrics.batch(key, observation)
        this.#cost.batch(key, observation.runMs)
      },
      onEvent: (event) => this.#onCacheEvent(event),
    })
    this.#plans = new PlanCache({
      resolve: (name, version) => (version === undefined ? this.#catalog.resolve(name) : this.#catalog.resolveVersion(name, version)),
      warm: (plan, previous) => this.#warm(plan, previous),
      prepare: (plan) => new PreparedPlan(plan, (served) => this.#loadOf(served), this.#metrics),
    })
    this.#watcher = new ChangeWatcher({
      read: () => this.#catalog.changeMarker(),
      onChange: () => this.#plans.refresh(),
      ...(options.pollIntervalMs !== undefined ? { intervalMs: options.pollIntervalMs } : {}),
    })
    this.#shadow = new ShadowMirror(this.#cache, this.#metrics, options.maxShadowPending, this.#cost)
  }

  /** Starts watching the catalog for changes. Idempotent. */
  start(): void {
    this.#watcher.start()
    this.#cost.start()
  }

  /** Where to report loads that fail (never single requests): the server's log. */
  onWarning(warn: (message: string) => void): void {
    this.#warn = warn
  }

  /** Polls the catalog's change marker now and applies a change (tests; the watcher does it every second). */
  pollChanges(): Promise<void> {
    return this.#watcher.poll()
  }

  async close(): Promise<void> {
    await this.#watcher.stop()
    this.#cost.stop()
    await this.#cache.close()
  }

  /** The model cache, for status pages and tests. */
  get models(): ModelCache {
    return this.#cache
  }

  /** Mirrored requests not finished yet. */
  get shadowPending(): number {
    return this.#shadow.pending
  }

  async infer<D extends DecodedRequest>(call: InferCall<D>): Promise<InferResult<D>> {
    const started = performance.now()
    const arrived = this.#predictions === undefined ? 0 : Date.now()
    let prepared: PreparedPlan
    try {
      const cached = this.#plans.get(call.name, call.version)
      prepared = cached instanceof PreparedPlan ? cached : await cached
    } catch (error) {
      this.#metrics.unrouted(call.protocol, failureReason(error, 'decode'))
      throw error
    }
    const { route, shadow } = prepared.choose(call.headers)
    const metrics = route.metrics(call.protocol)
    const load = route.load
    if (load.pending >= this.#options.maxQueueSize) {
      metrics.failed('overloaded', 0)
      this.#log(call, route.served, prepared.deployment, arrived, started, undefined, undefined, 'TEMPORARILY_UNAVAILABLE')
      throw new AppError('TEMPORARILY_UNAVAILABLE', `${route.served.key} has ${load.pending} requests waiting, the most --max-queue-size allows; retry shortly`, { details: { retryAfterSeconds: 1 } })
    }
    load.pending++
    this.#metrics.requestStarted()
    let lease: ModelLease | undefined
    let phase: Phase = 'load'
    let request: D | undefined
    let rows = 0
    let decodeMs = 0
    try {
      lease = this.#cache.tryAcquire(route.served.key) ?? (await this.#cache.acquire(route.served.key))
      phase = 'decode'
      const decodeStarted = performance.now()
      request = call.decode(lease.signature)
      decodeMs = performance.now() - decodeStarted
      rows = requestRows(request.inputs)
      phase = 'infer'
      const outputs = await lease.infer(request.inputs, request.outputs)
      metrics.succeeded((performance.now() - started) / 1000)
      this.#cost.served(route.served.key, prepared.deployment, rows, decodeMs, true)
      this.#log(call, route.served, prepared.deployment, arrived, started, request, outputs)
      if (shadow) {
        this.#shadow.mirror({ deployment: prepared.deployment, shadow, request, signature: lease.signature, decode: call.decode, primaryOutputs: outputs })
      }
      return { outputs, request, served: route.served, deployment: prepared.deployment }
    } catch (error) {
      metrics.failed(failureReason(error, phase), (performance.now() - started) / 1000)
      if (phase === 'infer') this.#cost.served(route.served.key, prepared.deployment, rows, decodeMs, false)
      this.#log(call, route.served, prepared.deployment, arrived, started, request, undefined, isAppError(error) ? error.code : 'INTERNAL_ERROR')
      throw error
    } finally {
      lease?.release()
      load.pending--
      this.#metrics.requestFinished()
    }
  }

  /** What `GET /v2/models/<name>[/versions/<v>]` shows: the primary route's version. */
  async metadata(name: string, version?: string): Promise<ModelMetadata> {
    const prepared = await this.#plans.get(name, version)
    const description = await this.#catalog.describe(prepared.primary.served)
    const metadata: ModelMetadata = { name, platform: 'onnx_onnxv1', signature: description.signature }
    if (prepared.plan.resolution !== 'deployment' && description.versions) metadata.versions = description.versions
    return metadata
  }

  /**
   * Loads what the name serves (its routes, not its shadow) and returns the plan once it can
   * answer; throws TEMPORARILY_UNAVAILABLE with the reason when a version fails to load.
   */
  async ready(name: string, version?: string): Promise<ServingPlan> {
    const prepared = await this.#plans.get(name, version)
    for (const route of prepared.routes) (await this.#cache.acquire(route.served.key)).release()
    return prepared.plan
  }

  /** Whether the catalog can be reached (the last poll of its change marker succeeded). */
  async serverReady(): Promise<boolean> {
    if (!this.#watcher.polled) await this.#watcher.poll()
    return this.#watcher.healthy
  }

  listNames(): Promise<string[]> {
    return this.#catalog.listNames()
  }

  async #warm(plan: ServingPlan, previous: ServingPlan): Promise<void> {
    // Only versions the new plan adds: the old ones are loaded, or will be on their next request.
    const added = addedVersions(plan, previous)
    const routed = new Set(plan.routes.map((r) => r.key))
    await Promise.all(
      added.map(async (served) => {
        try {
          ;(await this.#cache.acquire(served.key)).release()
        } catch (error) {
          // A shadow that cannot load never holds back the routing change.
          if (routed.has(served.key)) throw error
        }
      }),
    )
  }

  /** Hands the request to prediction logging: references only, converted later by its writer. */
  #log(call: InferCall<DecodedRequest>, served: ServedVersion, deployment: string, time: number, started: number, request: DecodedRequest | undefined, outputs: Tensor[] | undefined, error?: string): void {
    const sink = this.#predictions
    if (sink === undefined) return
    // One object literal of one shape, no spreads: this runs for every request served.
    const prediction: ServedPrediction = {
      predictionId: call.predictionId ?? newPredictionId(time || Date.now()),
      model: served.model,
      version: String(served.version),
      time,
      latencyMs: performance.now() - started,
      inputs: request?.inputs ?? [],
      outputs: outputs ?? [],
    }
    if (deployment) prediction.deployment = deployment
    if (error !== undefined) prediction.error = error
    sink.record(prediction)
  }

  #loadOf(served: ServedVersion): VersionLoad {
    let load = this.#loads.get(served.key)
    if (load === undefined) {
      load = { pending: 0 }
      this.#loads.set(served.key, load)
    }
    return load
  }

  #onCacheEvent(event: ModelCacheEvent): void {
    if (event.type === 'load-failed') this.#warn?.(`model ${event.key} failed to load (attempt ${event.attempts}): ${event.reason}`)
    else this.#metrics.models(this.#cache)
  }
}

function failureReason(error: unknown, phase: Phase): FailureReason {
  if (!isAppError(error)) return 'internal'
  switch (error.code) {
    case 'RESOURCE_DOES_NOT_EXIST':
      return 'not_found'
    case 'INVALID_PARAMETER_VALUE':
    case 'BAD_REQUEST':
    case 'INVALID_STATE':
      return 'bad_input'
    case 'TEMPORARILY_UNAVAILABLE':
      // The cache's failed-load error carries the load's reason; a full queue or budget does not.
      return phase === 'load' && error.details?.reason !== undefined ? 'model_failed' : 'overloaded'
    default:
      return 'internal'
  }
}
