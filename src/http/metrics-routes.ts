import type { FastifyInstance } from 'fastify'
import type { PlinthMetrics } from '../observability/metrics-registry.js'

/** `GET /metrics` in Prometheus's text format, and per-route HTTP counters. */
export function installHttpMetrics(app: FastifyInstance, metrics: PlinthMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) })
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000)
  })
  app.get('/metrics', { config: { access: 'read' } }, async (_request, reply) => {
    const { contentType, body } = await metrics.render()
    return reply.type(contentType).send(body)
  })
}
