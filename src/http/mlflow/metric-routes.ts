import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { TrackingService } from '../../tracking/index.js'
import { Schemas as S } from './tracking-schemas.js'
import { metricToWire, metricWithRunIdToWire } from './tracking-wire.js'

/** Metric history: paged, and sampled for charts (MLflow's get-history-bulk-interval). */
export function registerMetricRoutes(app: FastifyInstance, tracking: TrackingService): void {
  app.get('/metrics/get-history', { schema: { querystring: S.getMetricHistory.querystring, response: { 200: S.getMetricHistory.response } } }, async (request) => {
    const query = request.query as Static<typeof S.getMetricHistory.querystring>
    const page = await tracking.getMetricHistory({
      runId: query.run_id || query.run_uuid,
      metricKey: query.metric_key,
      maxResults: query.max_results,
      pageToken: query.page_token,
    })
    return { metrics: page.items.length ? page.items.map(metricToWire) : undefined, next_page_token: page.nextPageToken }
  })

  app.get('/metrics/get-history-bulk-interval', { schema: { querystring: S.getHistoryBulkInterval.querystring, response: { 200: S.getHistoryBulkInterval.response } } }, async (request) => {
    const query = request.query as Static<typeof S.getHistoryBulkInterval.querystring>
    const metrics = await tracking.sampleMetricHistory({
      runIds: query.run_ids,
      metricKey: query.metric_key,
      maxResults: query.max_results,
      startStep: query.start_step,
      endStep: query.end_step,
    })
    return { metrics: metrics.length ? metrics.map(metricWithRunIdToWire) : undefined }
  })
}
