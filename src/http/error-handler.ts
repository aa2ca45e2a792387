import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, isAppError, type ErrorCode } from '../shared/errors.js'
import { HTTP_STATUS } from './error-status.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Statuses this route answers instead of the table's: Plinth's own API says 409 where the
     * MLflow routes must keep MLflow's status.
     */
    errorStatus?: Partial<Record<ErrorCode, number>>
  }
}

export interface ErrorBody {
  error_code: ErrorCode
  message: string
  request_id?: string
}

/** Fastify's own errors (before a handler runs) in terms a client can act on. */
function fromFastifyError(error: FastifyError): AppError | undefined {
  if (error.validation) {
    const first = error.validation[0]
    const where = error.validationContext === 'querystring' ? 'query parameter' : 'parameter'
    if (first?.keyword === 'required') {
      const missing = String((first.params as { missingProperty?: string }).missingProperty)
      const parent = wirePath(first.instancePath)
      const name = parent ? `${parent}.${missing}` : missing
      return new AppError('INVALID_PARAMETER_VALUE', `Missing value for required ${where} '${name}'. See the API docs for more information about request parameters.`)
    }
    if (first?.keyword === 'additionalProperties') {
      const extra = String((first.params as { additionalProperty?: string }).additionalProperty)
      const parent = wirePath(first.instancePath)
      return new AppError('INVALID_PARAMETER_VALUE', `Unknown ${where} '${parent ? `${parent}.${extra}` : extra}'. See the API docs for the fields this endpoint takes.`)
    }
    const path = wirePath(first?.instancePath ?? '') || '(body)'
    return new AppError('INVALID_PARAMETER_VALUE', `Invalid value for ${where} '${path}' supplied: it ${first?.message ?? 'is invalid'}.`)
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than this endpoint accepts. Split the data across several requests.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported Content-Type. ${error.message}`)
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('BAD_REQUEST', error.message)
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('BAD_REQUEST', error.message)
  }
  return undefined
}

/** `/metrics/0/value` → `metrics[0].value`, the way people write the field. */
function wirePath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('')
}

/** An error in HTTP terms: the AppError it stands for (undefined for a bug) and its status. */
export function httpErrorOf(error: unknown, request: FastifyRequest): { appError: AppError | undefined; status: number } {
  const appError = isAppError(error) ? error : fromFastifyError(error as FastifyError)
  const status = appError ? (request.routeOptions.config?.errorStatus?.[appError.code] ?? HTTP_STATUS[appError.code]) : 500
  return { appError, status }
}

/** `Retry-After` (RFC 9110 §10.2.3) for errors that say when to come back (a full queue, a model in load backoff). */
export function setRetryAfter(reply: FastifyReply, appError: AppError | undefined): void {
  const seconds = appError?.details?.retryAfterSeconds
  if (typeof seconds === 'number' && seconds >= 0) reply.header('retry-after', String(Math.ceil(seconds)))
}

/**
 * Every error leaves as `{error_code, message}` (MLflow's shape). A 4xx message says what to
 * fix; a 5xx hides internals behind the request id, and the details go to the log.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const { appError, status } = httpErrorOf(error, request)
    setRetryAfter(reply, appError)
    if (status >= 500) {
      request.log.error({ err: error, code: appError?.code }, 'request failed')
      const body: ErrorBody = {
        error_code: appError?.code ?? 'INTERNAL_ERROR',
        message:
          appError && appError.code !== 'INTERNAL_ERROR'
            ? appError.message
            : `Internal error; the server log has the details under request id ${request.id}.`,
        request_id: request.id,
      }
      return reply.status(status).type('application/json').send(body)
    }
    const body: ErrorBody = { error_code: appError!.code, message: appError!.message }
    return reply.status(status).type('application/json').send({ ...body, ...appError!.details })
  })

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No endpoint ${request.method} ${request.url.split('?')[0]}. See the README for the API.`,
    }
    return reply.status(404).send(body)
  })
}
