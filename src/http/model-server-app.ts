import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { PlinthConfig } from '../config/index.js'
import { InferenceService, SingleModelCatalog, inferenceOptionsFrom, type SingleModel } from '../inference/index.js'
import type { PredictionSink } from '../monitoring/prediction-logger.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { PLINTH_VERSION } from '../version.js'
import { installErrorHandler } from './error-handler.js'
import { registerInferenceRoutes } from './inference/inference-routes.js'
import { registerScoringRoutes } from './inference/scoring-routes.js'
import { installHttpMetrics } from './metrics-routes.js'
import { registerCostRoutes } from './monitoring-cost-routes.js'
import { CostService } from '../monitoring/cost/cost-service.js'
import { redactedLoggerOptions } from './security/log-redaction.js'
import { installRateLimit } from './security/rate-limit-hook.js'
import { installSecurityHeaders } from './security/security-headers.js'

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
export interface ModelServerOptions {
  metrics?: PlinthMetrics
  /** Where served predictions are logged; none by default (the caller owns the database). */
  predictions?: PredictionSink
}

export async function createModelServerApp(model: SingleModel, config: PlinthConfig, logger: boolean | Record<string, unknown> = false, options: ModelServerOptions = {}): Promise<ModelServerApp> {
  const metrics = options.metrics ?? new PlinthMetrics()
  const predictions = options.predictions ? { predictions: options.predictions } : {}
  const inference = new InferenceService({ catalog: new SingleModelCatalog(model), metrics, ...inferenceOptionsFrom(config), ...predictions })
  const app = Fastify({
    logger: redactedLoggerOptions(logger),
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    requestIdHeader: 'x-request-id',
  })
  app.addHook('onClose', () => inference.close())
  installErrorHandler(app)
  installSecurityHeaders(app, { hsts: config.hsts })
  // No tokens here: the only inference limit is per address.
  installRateLimit(app, { rate: 0, burst: 1, servingRate: config.servingRateLimit })
  installHttpMetrics(app, metrics)
  app.get('/health', async (_request, reply) => reply.type('text/plain').send('OK'))
  app.get('/version', async (_request, reply) => reply.type('text/plain').send(PLINTH_VERSION))
  await registerInferenceRoutes(app, inference, { bodyLimit: config.servingBodyLimit })
  await app.register(async (scope) => registerScoringRoutes(scope, inference, model.name, config.servingBodyLimit))
  await app.register(async (scope) => registerCostRoutes(scope, new CostService(() => metrics.render())), { prefix: '/api/plinth/v1' })
  return { app, inference }
}
