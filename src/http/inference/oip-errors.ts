import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { httpErrorOf, setRetryAfter } from '../error-handler.js'

/**
 * The Open Inference Protocol's error body is `{"error": "<message>"}` (KServe and Triton answer
 * V1 the same way); `error_code` is Plinth's code, an extra field the spec's schema allows.
 */
export interface OipErrorBody {
  error: string
  error_code: string
  request_id?: string
}

/**
 * Errors on the inference routes. Statuses follow Plinth's table (400 bad input, 404 unknown
 * model, 413 body too large, 503 with Retry-After for a full queue or a model that failed to
 * load), as KServe and Triton do, rather than the spec's catch-all 400. Only bugs are logged:
 * a refused request is the caller's news, not the operator's, and logging each one under
 * overload would make the overload worse.
 */
export function installOipErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { appError, status } = httpErrorOf(error, request)
    setRetryAfter(reply, appError)
    let body: OipErrorBody
    if (!appError || appError.code === 'INTERNAL_ERROR') {
      request.log.error({ err: error }, 'inference request failed')
      body = { error: `Internal error; the server log has the details under request id ${request.id}.`, error_code: 'INTERNAL_ERROR', request_id: request.id }
    } else {
      body = { error: appError.message, error_code: appError.code }
    }
    return reply.status(status).type('application/json').send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    const body: OipErrorBody = { error: `No endpoint ${request.method} ${request.url.split('?')[0]}. See the README for the inference routes.`, error_code: 'ENDPOINT_NOT_FOUND' }
    return reply.status(404).send(body)
  })
}
