import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { PlinthConfig } from '../config/index.js'
import { InferenceService, SingleModelCatalog, inferenceOptionsFrom, type SingleModel } from '../inference/index.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { PLINTH_VERSION } from '../version.js'
import { installErrorHandler } from './error-handler.js'
import { registerInferenceRoutes } from './inference/inference-routes.js'
import { registerScoringRoutes } from './inference/scoring-routes.js'
import { installHttpMetrics } from './metrics-routes.js'
import { registerCostRoutes } from './monitoring-cost-routes.js'
import { CostService } from '../monitoring/cost/cost-service.js'

export interface ModelServerApp {
  app: FastifyInstance
  inference: InferenceService
}

/**
 * The app of `plinth serve -m`: one model, no database, over MLflow's scoring protocol
 * (`/invocations`, `/ping`, `/health`, `/version`), Open Inference Protocol V2 and KServe V1
 * (under the model's name), and `/metrics`. No auth, as with `mlflow models serve`: bind it to
 * loopback or put it behind something that checks callers.
 */
export async function createModelServerApp(model: SingleModel, config: PlinthConfig, logger: boolean | Record<string, unknown> = false): Promise<ModelServerApp> {
  const metrics = new PlinthMetrics()
  const inference = new InferenceService({ catalog: new SingleModelCatalog(model), metrics, ...inferenceOptionsFrom(config) })
  const app = Fastify({
    logger,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    requestIdHeader: 'x-request-id',
  })
  app.addHook('onClose', () => inference.close())
  installErrorHandler(app)
  installHttpMetrics(app, metrics)
  app.get('/health', async (_request, reply) => reply.type('text/plain').send('OK'))
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(PLINTH_VERSION))
  await registerInferenceRoutes(app, inference, { bodyLimit: config.servingBodyLimit })
  await app.register(async (scope) => registerScoringRoutes(scope, inference, model.name, config.servingBodyLimit))
  await app.register(async (scope) => registerCostRoutes(scope, new CostService(() => metrics.render())), { prefix: '/api/plinth/v1' })
  return { app, inference }
}
