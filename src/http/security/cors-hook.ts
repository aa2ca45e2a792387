import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE'
const ALLOWED_HEADERS = 'authorization, content-type, x-request-id'
const EXPOSED_HEADERS = 'retry-after, x-request-id'
const PREFLIGHT_MAX_AGE_SECONDS = '600'

function answerPreflight(reply: FastifyReply, origin: string): FastifyReply {
  return reply
    .status(204)
    .headers({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
      vary: 'Origin',
    })
    .send()
}

/**
 * Lets pages of the listed origins call the API from a browser. Off (no hook, no headers) when
 * the list is empty: the UI is served from the same origin and needs none. Registered before
 * auth, because browsers send preflights without the Authorization header.
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return
  const allowed = new Set(origins)
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin
    // Caches must keep a per-origin copy even of responses to origins that are refused.
    reply.header('vary', 'Origin')
    if (!origin || !allowed.has(origin)) return
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) return answerPreflight(reply, origin)
    reply.headers({ 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS })
  })
}
