import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { InferenceService } from '../../inference/index.js'
import { decodeV2InferRequest, encodeV2InferResponse, encodeV2ModelMetadata } from '../../serving/v2/v2-codec.js'
import { PLINTH_VERSION } from '../../version.js'
import { V2Schemas as S, V2VersionSchemas as SV } from './inference-schemas.js'
import { predictionIdFor } from './prediction-id.js'
import { HOT_PATH, PUBLIC_ACCESS, READ_ACCESS } from './route-options.js'

interface ModelParams {
  name: string
  version?: string
}

type ModelRequest = FastifyRequest<{ Params: ModelParams }>

/** Open Inference Protocol (KServe V2) REST under the `/v2` prefix: health, server and model metadata, readiness, infer. */
export function registerV2Routes(app: FastifyInstance, inference: InferenceService): void {
  app.get('/', { schema: S.server }, async () => ({ name: 'plinth', version: PLINTH_VERSION, extensions: [] }))
  app.get('/health/live', { config: PUBLIC_ACCESS, schema: S.live }, async () => ({ live: true }))
  app.get('/health/ready', { config: PUBLIC_ACCESS, schema: S.ready }, async (_request, reply) => {
    const ready = await inference.serverReady()
    return reply.status(ready ? 200 : 503).send({ ready })
  })

  const metadata = async (request: ModelRequest) => {
    const { name, version } = request.params
    const found = await inference.metadata(name, version)
    return encodeV2ModelMetadata(name, found.signature, { platform: found.platform, ...(found.versions ? { versions: found.versions } : {}) })
  }
  app.get('/models/:name', { schema: S.modelMetadata }, metadata)
  app.get('/models/:name/versions/:version', { schema: SV.modelMetadata }, metadata)

  const ready = async (request: ModelRequest) => {
    await inference.ready(request.params.name, request.params.version)
    return { name: request.params.name, ready: true }
  }
  app.get('/models/:name/ready', { schema: S.modelReady }, ready)
  app.get('/models/:name/versions/:version/ready', { schema: SV.modelReady }, ready)

  const infer = async (request: ModelRequest, reply: FastifyReply) => {
    const { name, version } = request.params
    const body = request.body
    const predictionId = predictionIdFor(request, reply, (body as { id?: unknown } | null)?.id)
    const result = await inference.infer({ name, version, protocol: 'v2', headers: request.headers, predictionId, decode: (signature) => decodeV2InferRequest(body, signature) })
    // Which version answered, when the name is a deployment whose routes name several models.
    reply.header('x-plinth-model-version', result.served.key)
    const { parameters } = result.request
    return encodeV2InferResponse(result.outputs, { modelName: name, modelVersion: String(result.served.version), id: predictionId, ...(parameters ? { parameters } : {}) })
  }
  app.post('/models/:name/infer', { ...HOT_PATH, config: READ_ACCESS, schema: S.infer }, infer)
  app.post('/models/:name/versions/:version/infer', { ...HOT_PATH, config: READ_ACCESS, schema: SV.infer }, infer)
}
