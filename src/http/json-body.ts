import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../shared/errors.js'

/**
 * MLflow's handlers read any body as JSON (a missing body is `{}`; a body that is itself a JSON
 * string is decoded once more), but refuse POST/PUT with another declared content type.
 * Installed per plugin, so artifact routes keep raw streams.
 */
export function installMlflowJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonObject(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.method !== 'POST' && request.method !== 'PUT') return
    const contentType = request.headers['content-type']
    if (contentType === undefined) {
      request.body ??= {}
      return
    }
    if (contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') {
      throw new AppError(
        'INVALID_PARAMETER_VALUE',
        `Bad Request. Content-Type must be one of [application/json]. Got '${contentType}'.`,
      )
    }
  })
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (request.body === undefined && request.method !== 'GET' && request.method !== 'HEAD') request.body = {}
  })
}

export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
    if (typeof value === 'string') value = JSON.parse(value)
  } catch (error) {
    throw new AppError('BAD_REQUEST', `Malformed JSON in the request body: ${(error as Error).message}. Send one JSON object.`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('BAD_REQUEST', 'The request body must be a JSON object, e.g. {"run_id": "…"}.')
  }
  return value as Record<string, unknown>
}
