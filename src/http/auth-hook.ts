import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Access, AuthService, Principal } from '../auth/index.js'
import { roleAllows } from '../auth/index.js'
import { AppError, isAppError } from '../shared/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
  }
  interface FastifyContextConfig {
    /** What a route needs; defaults to read for GET/HEAD and write otherwise. */
    access?: Access | 'public'
  }
}

const CHALLENGE = 'Bearer realm="plinth", Basic realm="plinth"'

// MLflow's searches are POSTs that only read.
export const READ_ONLY_POST = /\/(search|get-latest-versions)$/

function accessOf(request: FastifyRequest): Access | 'public' {
  const declared = request.routeOptions.config?.access
  if (declared) return declared
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return 'read'
  // The route's pattern, not the raw URL: a trailing slash (ignoreTrailingSlash) must not turn a search into a write.
  if (request.method === 'POST' && READ_ONLY_POST.test(request.routeOptions.url ?? request.url.split('?')[0]!)) return 'read'
  return 'write'
}

/** `Bearer <token>`, or MLflow's basic-auth form with the token as the password. */
function credentialOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const [scheme, value = ''] = header.split(' ', 2)
  if (scheme?.toLowerCase() === 'bearer') return value.trim()
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    return decoded.slice(decoded.indexOf(':') + 1)
  }
  return undefined
}

/** Checks every request's token and role when the server runs with --auth. */
export function installAuth(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (request, reply) => {
    const access = accessOf(request)
    if (access === 'public') return
    const credential = credentialOf(request)
    if (!credential) {
      reply.header('www-authenticate', CHALLENGE)
      throw new AppError('UNAUTHENTICATED', 'This server requires an API token: send "Authorization: Bearer <token>" (or set MLFLOW_TRACKING_TOKEN). Create one with: plinth tokens create --name NAME --role reader|editor|admin')
    }
    const principal = await auth.verify(credential).catch((error: unknown) => {
      // Every 401 names the schemes it accepts (RFC 9110 §11.6.1), a bad token's as much as a missing one's.
      if (isAppError(error) && error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', CHALLENGE)
      throw error
    })
    // Set before the role check, so a refused attempt is still audited under the token's name.
    request.principal = principal
    if (!roleAllows(principal.role, access)) {
      throw new AppError('PERMISSION_DENIED', `Token '${principal.name}' has role ${principal.role}, which cannot ${access === 'admin' ? 'manage tokens' : 'write'}; use a token with a stronger role.`)
    }
  })
}
