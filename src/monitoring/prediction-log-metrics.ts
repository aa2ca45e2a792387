import { Counter, Gauge, type Registry } from 'prom-client'
import type { PlinthMetrics } from '../observability/metrics-registry.js'

export type LogOutcome = 'logged' | 'dropped' | 'failed' | 'sampled_out'
export type StreamOutcome = 'published' | 'failed' | 'retried' | 'dropped'

/** One metric of a registry, made on first use so two loggers on one registry share it. */
function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make()
}

/** The prediction-logging metrics, on the process's registry. */
export class PredictionLogMetrics {
  readonly records: Counter<'outcome'>
  readonly buffered: Gauge
  readonly writeErrors: Counter
  readonly stream: Counter<'outcome'>

  constructor(metrics: PlinthMetrics) {
    const registers = [metrics.registry]
    this.records = once(metrics.registry, 'plinth_prediction_logs_total', () => new Counter({
      name: 'plinth_prediction_logs_total',
      help: 'Served predictions by what became of their log record: logged (stored), dropped (buffer full), failed (store kept failing), sampled_out.',
      labelNames: ['outcome'] as const,
      registers,
    }))
    this.buffered = once(metrics.registry, 'plinth_prediction_log_buffer_records', () => new Gauge({
      name: 'plinth_prediction_log_buffer_records',
      help: 'Prediction log records waiting in memory to be written (including a batch being written).',
      registers,
    }))
    this.writeErrors = once(metrics.registry, 'plinth_prediction_log_write_errors_total', () => new Counter({
      name: 'plinth_prediction_log_write_errors_total',
      help: 'Failed attempts to write a batch of prediction logs (each is retried with backoff).',
      registers,
    }))
    this.stream = once(metrics.registry, 'plinth_prediction_log_stream_total', () => new Counter({
      name: 'plinth_prediction_log_stream_total',
      help: 'Prediction log records sent to NATS JetStream: published (acknowledged), retried, failed (given up), dropped (stream queue full).',
      labelNames: ['outcome'] as const,
      registers,
    }))
    for (const outcome of ['logged', 'dropped', 'failed', 'sampled_out'] as const) this.records.inc({ outcome }, 0)
  }
}
