import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { CostService } from '../monitoring/cost/cost-service.js'

const Nullable = T.Union([T.Number(), T.Null()])

const CostRowSchema = T.Object({
  model: T.String(),
  version: T.String(),
  deployment: T.String(),
  predictions: T.Number(),
  cpu_seconds: T.Number(),
  memory_bytes: T.Number(),
  cpu_seconds_per_1000: Nullable,
  cost_per_1000: Nullable,
  price_per_core_hour: Nullable,
  since: T.Union([T.String(), T.Null()]),
})

export const CostSchemas = {
  get: {
    querystring: T.Object({ model: T.Optional(T.String()), deployment: T.Optional(T.String()) }, { additionalProperties: false }),
    response: {
      200: T.Object({
        price_per_core_hour: Nullable,
        since: T.Union([T.String(), T.Null()]),
        unattributed_cpu_seconds: T.Number(),
        models: T.Array(CostRowSchema),
      }),
    },
  },
}

/**
 * `GET /monitoring/cost?model=&deployment=` under `/api/plinth/v1`: predictions, attributed CPU
 * seconds, memory and the cost of 1,000 predictions per model version and deployment since the
 * server started. Prices and costs are null when no `--price-per-core-hour` is set.
 */
export function registerCostRoutes(app: FastifyInstance, cost: CostService): void {
  app.get('/monitoring/cost', { schema: CostSchemas.get }, async (request) => {
    const query = request.query as Static<typeof CostSchemas.get.querystring>
    const report = await cost.report(query)
    const price = report.pricePerCoreHour > 0 ? report.pricePerCoreHour : null
    const since = report.sinceSeconds === undefined ? null : new Date(report.sinceSeconds * 1000).toISOString()
    return {
      price_per_core_hour: price,
      since,
      unattributed_cpu_seconds: report.unattributedCpuSeconds,
      models: report.rows.map((r) => ({
        model: r.model,
        version: r.version,
        deployment: r.deployment,
        predictions: r.predictions,
        cpu_seconds: r.cpuSeconds,
        memory_bytes: r.memoryBytes,
        cpu_seconds_per_1000: r.cpuSecondsPer1000 ?? null,
        cost_per_1000: r.costPer1000 ?? null,
        price_per_core_hour: price,
        since,
      })),
    }
  })
}
