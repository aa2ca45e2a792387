import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { predictionLogToWire } from '../monitoring/prediction-log-wire.js'
import type { PredictionLogService } from '../monitoring/prediction-log-service.js'
import { logFromWire, PredictionLogSchemas as S } from './prediction-log-schemas.js'

/**
 * Prediction logs (`/api/plinth/v1/prediction-logs`). POST ingests predictions made outside
 * Plinth and answers only once the batch is committed, so an acknowledged batch survives a
 * crash; GET lists logs oldest first, filtered and paged.
 */
export function registerPredictionLogRoutes(app: FastifyInstance, logs: PredictionLogService): void {
  app.post('/prediction-logs', { schema: S.ingest }, async (request) => {
    const body = request.body as Static<typeof S.ingest.body>
    return { accepted: await logs.ingest(body.predictions.map(logFromWire)) }
  })

  app.get('/prediction-logs', { config: { access: 'read' }, schema: S.list }, async (request) => {
    const q = request.query as Static<typeof S.list.querystring>
    const page = await logs.list({
      ...(q.model !== undefined ? { model: q.model } : {}),
      ...(q.version !== undefined ? { version: q.version } : {}),
      ...(q.deployment !== undefined ? { deployment: q.deployment } : {}),
      ...(q.start_time !== undefined ? { startTime: q.start_time } : {}),
      ...(q.end_time !== undefined ? { endTime: q.end_time } : {}),
      ...(q.max_results !== undefined ? { maxResults: q.max_results } : {}),
      ...(q.page_token !== undefined ? { pageToken: q.page_token } : {}),
    })
    return { predictions: page.items.map(predictionLogToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) }
  })
}
