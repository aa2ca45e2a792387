import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { TrackingService } from '../tracking/index.js'

const Query = T.Object(
  { run_ids: T.Array(T.String()), key: T.String(), points: T.Optional(T.Integer()) },
  { additionalProperties: false },
)

const Response = T.Object({
  series: T.Array(T.Object({ run_id: T.String(), steps: T.Array(T.Number()), values: T.Array(T.Number()), total_points: T.Integer() })),
})

/**
 * `GET /api/plinth/v1/runs/metric-history`: charts' view of one metric over runs, a bucket's
 * lowest and highest value each (MLflow's get-history-bulk-interval samples evenly spaced steps,
 * which drops spikes between them).
 */
export function registerMetricHistoryRoutes(app: FastifyInstance, tracking: TrackingService): void {
  app.get('/runs/metric-history', { schema: { querystring: Query, response: { 200: Response } } }, async (request) => {
    const query = request.query as Static<typeof Query>
    const series = await tracking.downsampleMetricHistory({ runIds: query.run_ids, key: query.key, points: query.points })
    return { series: series.map((s) => ({ run_id: s.runId, steps: s.steps, values: s.values, total_points: s.totalPoints })) }
  })
}
