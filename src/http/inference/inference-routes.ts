import type { FastifyInstance } from 'fastify'
import type { InferenceService } from '../../inference/index.js'
import { installInferenceJsonBody } from './inference-body.js'
import { installOipErrors } from './oip-errors.js'
import { registerV1Routes } from './v1-routes.js'
import { registerV2Routes } from './v2-routes.js'

export interface InferenceRouteOptions {
  /** Largest inference body in bytes (`--serving-body-limit`). */
  bodyLimit: number
}

/**
 * `/v2/…` (Open Inference Protocol) and `/v1/…` (KServe V1) in their own plugin, with their
 * error body (`{"error": …}`), a body limit of their own and the service's change watcher
 * started when the app is ready.
 */
export async function registerInferenceRoutes(app: FastifyInstance, inference: InferenceService, options: InferenceRouteOptions): Promise<void> {
  inference.onWarning((message) => app.log.warn(message))
  app.addHook('onReady', async () => inference.start())
  for (const [prefix, register] of [['/v2', registerV2Routes], ['/v1', registerV1Routes]] as const) {
    await app.register(
      async (scope) => {
        installInferenceJsonBody(scope, options.bodyLimit)
        installOipErrors(scope)
        register(scope, inference)
      },
      { prefix },
    )
  }
}
