import type { FastifyInstance } from 'fastify'

/**
 * Headers every response carries, API and UI alike. The UI's own Content-Security-Policy is
 * set by ui-routes.ts on its pages; an API response gets a policy that allows nothing, so a JSON
 * or artifact body opened in a browser can never run as a page.
 */
const BASE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
})

const API_CSP = "default-src 'none'; frame-ancestors 'none'"

/** A year, the least that browsers' preload lists accept. */
const HSTS = 'max-age=31536000; includeSubDomains'

export interface SecurityHeaderOptions {
  /** Clients reach this server over TLS (a proxy ends it): tell browsers to never use plain HTTP. */
  hsts: boolean
}

export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  const fixed = options.hsts ? { ...BASE_HEADERS, 'strict-transport-security': HSTS } : BASE_HEADERS
  // onSend runs for handlers, errors and the 404 handler alike, so no response goes without them.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(fixed)
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', API_CSP)
    return payload
  })
}
