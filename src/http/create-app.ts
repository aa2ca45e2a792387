import Fastify, { LogController, type FastifyInstance, type RouteOptions } from 'fastify'
import type { Services } from '../app/services.js'
import { PLINTH_VERSION } from '../version.js'
import { installAuditLog } from './audit-hook.js'
import { registerAuditRoutes } from './audit-routes.js'
import { installAuth } from './auth-hook.js'
import { registerDeploymentRoutes } from './deployment-routes.js'
import { installErrorHandler } from './error-handler.js'
import { registerInferenceRoutes } from './inference/inference-routes.js'
import { installMlflowJsonBody } from './json-body.js'
import { installNulByteGuard } from './nul-byte-guard.js'
import { registerLineageRoutes } from './lineage-routes.js'
import { registerMonitorRoutes } from './monitor-routes.js'
import { registerCostRoutes } from './monitoring-cost-routes.js'
import { CostService } from '../monitoring/cost/cost-service.js'
import { installHttpMetrics } from './metrics-routes.js'
import { registerMetricHistoryRoutes } from './metric-history-routes.js'
import { registerFeedbackReadRoutes } from './feedback-read-routes.js'
import { registerGetArtifactRoute, registerProxiedArtifactRoutes, registerRunArtifactRoutes } from './mlflow/artifact-routes.js'
import { registerExperimentRoutes } from './mlflow/experiment-routes.js'
import { registerMetricRoutes } from './mlflow/metric-routes.js'
import { registerRegisteredModelRoutes } from './mlflow/registry-model-routes.js'
import { registerRegistryPlinthRoutes } from './mlflow/registry-plinth-routes.js'
import { registerModelVersionRoutes } from './mlflow/registry-version-routes.js'
import { registerRunRoutes } from './mlflow/run-routes.js'
import { registerPredictionLogRoutes } from './prediction-log-routes.js'
import { registerPerformanceRoutes } from './performance-routes.js'
import { registerPipelineTriggerRoutes } from './pipeline-trigger-routes.js'
import { registerPipelineRoutes } from './pipeline-routes.js'
import { parseQueryString } from './query-string.js'
import { registerTokenRoutes } from './token-routes.js'
import { registerUiRoutes } from './ui-routes.js'
import { installCors } from './security/cors-hook.js'
import { redactedLoggerOptions } from './security/log-redaction.js'
import { installRateLimit } from './security/rate-limit-hook.js'
import { installSecurityHeaders } from './security/security-headers.js'

export interface AppOptions {
  /** pino options, or false for no log (tests, benchmarks). */
  logger?: boolean | Record<string, unknown>
  /** Folder of the built web UI served at `/` (default: the package's dist/ui). */
  uiDir?: string
  /** Sees every route as it is registered (the API fuzz suite enumerates routes with it). */
  onRoute?: (route: RouteOptions) => void
}

/** MLflow serves every RPC under both prefixes; its web UI uses the ajax one. */
const MLFLOW_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']
const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts']

/** Builds the HTTP app on given services; binds no port (tests use `inject`). */
export async function createApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: redactedLoggerOptions(options.logger),
    // A log line per request costs more than a log-batch insert; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.config.jsonBodyLimit,
    routerOptions: { querystringParser: parseQueryString, ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Protobuf's JSON parser accepts int64 as strings, and GET parameters arrive as strings.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
    requestIdHeader: 'x-request-id',
  })
  if (options.onRoute) app.addHook('onRoute', options.onRoute)
  installErrorHandler(app)
  const { config } = services
  installSecurityHeaders(app, { hsts: config.hsts })
  installCors(app, config.corsOrigins)
  installNulByteGuard(app)
  if (config.auth) installAuth(app, services.auth)
  installRateLimit(app, { rate: config.rateLimit, burst: config.rateLimitBurst, servingRate: config.servingRateLimit })
  installAuditLog(app, services.audit)
  installHttpMetrics(app, services.metrics)
  services.onPredictionLogWarning((message) => app.log.warn(message))

  app.get('/health', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/plain').send('OK'))
  app.get('/version', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/plain').send(PLINTH_VERSION))

  for (const prefix of MLFLOW_PREFIXES) {
    await app.register(
      async (api) => {
        installMlflowJsonBody(api, services.config.jsonBodyLimit)
        registerExperimentRoutes(api, services.tracking)
        registerRunRoutes(api, services.tracking, (request) => request.principal?.name)
        registerMetricRoutes(api, services.tracking)
        registerRunArtifactRoutes(api, services.artifacts)
        registerRegisteredModelRoutes(api, services.registry, (request) => request.principal?.name)
        registerModelVersionRoutes(api, services.registry, (request) => request.principal?.name)
      },
      { prefix },
    )
  }
  for (const prefix of ARTIFACT_PREFIXES) {
    await app.register(async (api) => registerProxiedArtifactRoutes(api, services.artifacts, config.artifactUploadLimit), { prefix })
  }
  registerGetArtifactRoute(app, services.artifacts)
  await app.register(
    async (api) => {
      installMlflowJsonBody(api, services.config.jsonBodyLimit)
      registerTokenRoutes(api, services.auth)
      registerAuditRoutes(api, services.audit)
      registerRegistryPlinthRoutes(api, services.registry)
      registerMetricHistoryRoutes(api, services.tracking)
      registerLineageRoutes(api, services.registry, services.deploymentLineage)
      registerDeploymentRoutes(api, services.deployments)
      registerMonitorRoutes(api, services.monitors, services.deployments)
      registerCostRoutes(api, new CostService(() => services.metrics.render()))
      registerPredictionLogRoutes(api, services.predictionLogs)
      registerPerformanceRoutes(api, services.feedback, services.performance)
      registerFeedbackReadRoutes(api, services.feedback)
    },
    { prefix: '/api/plinth/v1' },
  )
  // Its own plugin: pipeline files arrive as YAML text, which the JSON-only parser above refuses.
  await app.register(async (api) => registerPipelineRoutes(api, services.pipelines, services.config.jsonBodyLimit), { prefix: '/api/plinth/v1' })
  await app.register(async (api) => registerPipelineTriggerRoutes(api, services.triggers), { prefix: '/api/plinth/v1' })
  await registerInferenceRoutes(app, services.inference, { bodyLimit: services.config.servingBodyLimit })
  registerUiRoutes(app, options.uiDir)
  return app
}
