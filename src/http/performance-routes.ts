import type { FastifyInstance } from 'fastify'
import type { FeedbackService } from '../monitoring/feedback-service.js'
import type { PerformanceService } from '../monitoring/performance/performance-service.js'
import { invalidParameter } from '../shared/errors.js'
import { type FeedbackBody, PerformanceSchemas as S, performanceQueryFromWire, performanceToWire } from './performance-schemas.js'

/** One label (`{prediction_id, label}`) or a batch (`{feedback: [...]}`), never both. */
function feedbackItems(body: FeedbackBody): Array<{ predictionId: unknown; label: unknown }> {
  const single = body.prediction_id !== undefined || 'label' in body
  if (single && body.feedback !== undefined) {
    throw invalidParameter("Send either {prediction_id, label} or {feedback: [...]}, not both.")
  }
  if (body.feedback !== undefined) return body.feedback.map((f) => ({ predictionId: f.prediction_id, label: f.label }))
  return single ? [{ predictionId: body.prediction_id, label: body.label }] : []
}

/**
 * Ground truth (`POST /feedback`) and performance over time (`GET /monitoring/performance`).
 * Unknown prediction ids are reported in the answer, not as an error: the labels of known ids
 * are stored either way.
 */
export function registerPerformanceRoutes(app: FastifyInstance, feedback: FeedbackService, performance: PerformanceService): void {
  app.post('/feedback', { schema: S.feedback }, async (request) => {
    const result = await feedback.submit(feedbackItems(request.body as FeedbackBody))
    return { accepted: result.accepted, unknown_count: result.unknownCount, unknown_ids: result.unknownIds }
  })

  app.get('/monitoring/performance', { schema: S.performance }, async (request) => {
    const query = performanceQueryFromWire(request.query as Parameters<typeof performanceQueryFromWire>[0])
    return performanceToWire(await performance.performance(query))
  })
}
