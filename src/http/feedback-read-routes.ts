import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { FeedbackService } from '../monitoring/feedback-service.js'

const Query = T.Object({ prediction_id: T.Array(T.String(), { maxItems: 1000 }) }, { additionalProperties: false })
const Response = T.Object({
  feedback: T.Array(T.Object({ prediction_id: T.String(), label: T.Unknown(), received_at: T.Integer() })),
})

/** `GET /api/plinth/v1/feedback?prediction_id=…`: the ground truth stored for some predictions. */
export function registerFeedbackReadRoutes(app: FastifyInstance, feedback: FeedbackService): void {
  app.get('/feedback', { schema: { querystring: Query, response: { 200: Response } } }, async (request) => {
    const { prediction_id: ids } = request.query as Static<typeof Query>
    const labels = await feedback.labelsOf(ids)
    return { feedback: labels.map((f) => ({ prediction_id: f.predictionId, label: f.label, received_at: f.receivedAt })) }
  })
}
