import cluster from 'node:cluster'
import { randomUUID } from 'node:crypto'
import { AggregatorRegistry, type Registry } from 'prom-client'
import { clusterCostLines } from '../monitoring/cost/cost-exposition.js'

/**
 * With `--workers N` every worker counts its own requests, and a scrape of `/metrics` lands on
 * whichever worker the cluster hands the connection to: on its own it would report one worker's
 * share. So a worker asked for `/metrics` asks the primary, which gathers every worker's registry
 * over IPC (prom-client's aggregator: counters and histograms summed) and answers with the whole.
 */
const REQUEST = 'plinth:cluster-metrics-request'
const RESPONSE = 'plinth:cluster-metrics-response'
const TIMEOUT_MS = 5_000

interface MetricsMessage {
  type: string
  id: string
  body?: string
  contentType?: string
  error?: string
}

/** In the primary: answer workers' requests with the cluster-wide exposition text. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry()
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return
    aggregator
      .clusterMetrics()
      // A cost ratio cannot be summed over workers: it is derived again from the summed counters.
      .then((summed) => summed + clusterCostLines(summed))
      .then(
        (body) => worker.send({ type: RESPONSE, id: message.id, body, contentType: aggregator.contentType }),
        (error: Error) => worker.send({ type: RESPONSE, id: message.id, error: error.message }),
      )
  })
}

/** In a worker: offer this registry to the primary's aggregation. */
export function joinClusterMetrics(registry: Registry): void {
  // Constructing an aggregator is what installs prom-client's worker-side listener.
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
}

export function inClusterWorker(): boolean {
  return cluster.isWorker && typeof process.send === 'function'
}

/** In a worker: the cluster-wide metrics, from the primary. */
export function fetchClusterMetrics(): Promise<{ contentType: string; body: string }> {
  const id = randomUUID()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage)
      reject(new Error('the primary did not answer for cluster metrics in 5 s'))
    }, TIMEOUT_MS)
    const onMessage = (message: MetricsMessage) => {
      if (message?.type !== RESPONSE || message.id !== id) return
      clearTimeout(timer)
      process.off('message', onMessage)
      if (message.error !== undefined) reject(new Error(message.error))
      else resolve({ contentType: message.contentType!, body: message.body! })
    }
    process.on('message', onMessage)
    process.send!({ type: REQUEST, id })
  })
}
