import type { FastifyInstance } from 'fastify'
import type { InferenceService } from '../../inference/index.js'
import { AppError } from '../../shared/errors.js'
import { decodeMlflowScoringCsv, decodeMlflowScoringJson, encodeMlflowPredictions } from '../../serving/v2/mlflow-scoring-codec.js'
import { installInferenceJsonBody } from './inference-body.js'
import { ScoringSchemas as S } from './inference-schemas.js'
import { predictionIdFor } from './prediction-id.js'
import { HOT_PATH, PUBLIC_ACCESS, READ_ACCESS } from './route-options.js'

/**
 * MLflow's scoring server protocol, as `mlflow models serve` offers it: `POST /invocations` with
 * a pandas DataFrame as JSON (dataframe_split, dataframe_records), tensors (instances, inputs) or
 * CSV, and `GET /ping`. Errors keep MLflow's `{error_code, message}` shape. Register it in its own
 * plugin: it replaces the content-type parsers.
 */
export function registerScoringRoutes(app: FastifyInstance, inference: InferenceService, model: string, bodyLimit: number): void {
  installInferenceJsonBody(app, bodyLimit, ['application/json'])
  app.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body))
  app.addContentTypeParser('*', (request, _payload, done) => {
    const given = request.headers['content-type'] ?? 'none'
    done(new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type '${given}' is not accepted by /invocations; send application/json or text/csv.`), undefined)
  })

  app.get('/ping', { config: PUBLIC_ACCESS }, async (_request, reply) => reply.type('application/json').send('\n'))

  app.post('/invocations', { ...HOT_PATH, config: READ_ACCESS, schema: S.invocations }, async (request, reply) => {
    const body = request.body
    const csv = typeof body === 'string'
    const predictionId = predictionIdFor(request, reply)
    const result = await inference.infer({
      name: model,
      protocol: 'mlflow',
      headers: request.headers,
      predictionId,
      decode: (signature) => ({ inputs: csv ? decodeMlflowScoringCsv(body, signature) : decodeMlflowScoringJson(body, signature) }),
    })
    reply.header('x-plinth-model-version', result.served.key)
    return encodeMlflowPredictions(result.outputs)
  })
}
