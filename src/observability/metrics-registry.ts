import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { fetchClusterMetrics, inClusterWorker, joinClusterMetrics } from './cluster-metrics.js'

/** Latency buckets from 0.5 ms to 10 s: inference is often sub-millisecond, tracking writes a few ms. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

/**
 * Every Prometheus metric Plinth exports, in one registry per process (tests get their own).
 * Names start with `plinth_` and carry their unit, as Prometheus's naming guide asks.
 */
export class PlinthMetrics {
  readonly registry = new Registry()

  readonly httpRequests = new Counter({
    name: 'plinth_http_requests_total',
    help: 'HTTP requests by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  })
  readonly httpDuration = new Histogram({
    name: 'plinth_http_request_duration_seconds',
    help: 'Time from request received to response sent, by route.',
    labelNames: ['route', 'method'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  })
  readonly inferenceRequests = new Counter({
    name: 'plinth_inference_requests_total',
    help: 'Inference requests by model, version, deployment, protocol and outcome.',
    labelNames: ['model', 'version', 'deployment', 'protocol', 'outcome'] as const,
    registers: [this.registry],
  })
  readonly inferenceFailures = new Counter({
    name: 'plinth_inference_failures_total',
    help: 'Failed inference requests by model, version, deployment and reason (bad_input, overloaded, model_failed, not_found, internal).',
    labelNames: ['model', 'version', 'deployment', 'reason'] as const,
    registers: [this.registry],
  })
  readonly queueSeconds = new Histogram({
    name: 'plinth_inference_queue_duration_seconds',
    help: 'Time a request waited in the dynamic batching queue.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  })
  readonly computeSeconds = new Histogram({
    name: 'plinth_inference_compute_duration_seconds',
    help: 'Time the model spent computing one batch.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  })
  readonly totalSeconds = new Histogram({
    name: 'plinth_inference_request_duration_seconds',
    help: 'Time from an inference request received to its response, by deployment.',
    labelNames: ['model', 'version', 'deployment'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  })
  readonly batchSize = new Histogram({
    name: 'plinth_inference_batch_size_rows',
    help: 'Rows per batch the model computed (1 when batching is off or traffic is light).',
    labelNames: ['model', 'version'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  })
  readonly modelsLoaded = new Gauge({
    name: 'plinth_models_loaded',
    help: 'Model versions loaded in this process.',
    registers: [this.registry],
  })
  readonly modelMemoryBytes = new Gauge({
    name: 'plinth_model_memory_bytes',
    help: 'Estimated memory held by each loaded model version (sum() for the total).',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  })
  readonly inFlight = new Gauge({
    name: 'plinth_inference_in_flight_requests',
    help: 'Inference requests being served right now.',
    registers: [this.registry],
  })
  readonly shadowRequests = new Counter({
    name: 'plinth_shadow_requests_total',
    help: 'Requests mirrored to a shadow model, by deployment, model, version and outcome.',
    labelNames: ['deployment', 'model', 'version', 'outcome'] as const,
    registers: [this.registry],
  })
  readonly shadowDifference = new Histogram({
    name: 'plinth_shadow_output_difference_ratio',
    help: 'Mean absolute difference between shadow and primary outputs, relative to the primary output scale.',
    labelNames: ['deployment'] as const,
    buckets: [0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  })
  readonly shadowDisagreements = new Counter({
    name: 'plinth_shadow_disagreements_total',
    help: 'Mirrored requests whose shadow prediction differs from the primary (arg-max or value beyond tolerance).',
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  })

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'plinth_process_' })
    if (inClusterWorker()) joinClusterMetrics(this.registry)
  }

  /** The exposition text for `GET /metrics`: the whole cluster's under `--workers`. */
  async render(): Promise<{ contentType: string; body: string }> {
    if (inClusterWorker()) return fetchClusterMetrics()
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
