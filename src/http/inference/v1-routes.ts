import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { InferenceService } from '../../inference/index.js'
import { AppError } from '../../shared/errors.js'
import { decodeV1PredictRequest, encodeV1PredictResponse } from '../../serving/v2/v1-codec.js'
import { V1Schemas as S } from './inference-schemas.js'
import { predictionIdFor } from './prediction-id.js'
import { HOT_PATH, READ_ACCESS } from './route-options.js'

type NameRequest = FastifyRequest<{ Params: { name: string } }>

/**
 * KServe V1 (TensorFlow Serving's REST shape): `GET /v1/models`, `GET /v1/models/<m>` (readiness)
 * and `POST /v1/models/<m>:predict`. The verb is part of the last path segment, so the route takes
 * the segment whole and splits it at its last colon.
 */
/** Under the `/v1` prefix. */
export function registerV1Routes(app: FastifyInstance, inference: InferenceService): void {
  app.get('/models', { schema: S.list }, async () => ({ models: await inference.listNames() }))

  app.get('/models/:name', { schema: S.ready }, async (request: NameRequest) => {
    await inference.ready(request.params.name)
    return { name: request.params.name, ready: true }
  })

  app.post('/models/:name', { ...HOT_PATH, config: READ_ACCESS, schema: S.predict }, async (request: NameRequest, reply) => {
    const segment = request.params.name
    const colon = segment.lastIndexOf(':')
    const verb = colon < 0 ? '' : segment.slice(colon + 1)
    if (verb !== 'predict') {
      const what = verb === 'explain' ? 'Plinth has no explainers; ' : ''
      throw new AppError('ENDPOINT_NOT_FOUND', `${what}POST /v1/models/<model>:predict is the V1 inference endpoint; got '${segment}'.`)
    }
    const name = segment.slice(0, colon)
    const body = request.body
    const predictionId = predictionIdFor(request, reply)
    const result = await inference.infer({ name, protocol: 'v1', headers: request.headers, predictionId, decode: (signature) => ({ inputs: decodeV1PredictRequest(body, signature) }) })
    reply.header('x-plinth-model-version', result.served.key)
    return encodeV1PredictResponse(result.outputs)
  })
}
