import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ANONYMOUS, type AuditService } from '../audit/index.js'
import { READ_ONLY_POST } from './auth-hook.js'

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const MANAGEMENT = /^\/(api|ajax-api)\//

/** Body fields that name what a mutation acted on, across the MLflow and Plinth APIs. */
const ID_FIELDS = ['experiment_id', 'run_id', 'run_uuid', 'name', 'new_name', 'version', 'alias', 'key', 'model', 'model_name', 'deployment', 'pipeline', 'monitor', 'role', 'path']

/**
 * Statuses not recorded: 401 (no one to name, and a flood of them must not fill the table) and
 * 429 (refused before any work). A 403 is kept: a known token trying what it may not.
 */
const UNRECORDED = new Set([401, 429])

function resourceIdsOf(request: FastifyRequest): Record<string, string> {
  const ids: Record<string, string> = {}
  for (const [key, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string') ids[key === '*' ? 'path' : key] = value
  }
  const body = request.body
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const field of ID_FIELDS) {
      const value = (body as Record<string, unknown>)[field]
      if (typeof value === 'string' || typeof value === 'number') ids[field] ??= String(value)
    }
  }
  return ids
}

function isAudited(request: FastifyRequest): boolean {
  const route = request.routeOptions.url
  if (!route || !MUTATIONS.has(request.method) || !MANAGEMENT.test(route)) return false
  return !(request.method === 'POST' && READ_ONLY_POST.test(route))
}

/**
 * Records every mutation of the management API before its response leaves: a client that got
 * an answer can rely on the change being in the audit log. The cost is one insert per mutation,
 * off the inference routes, which are not audited.
 */
export function installAuditLog(app: FastifyInstance, audit: AuditService): void {
  const recorded = new WeakSet<FastifyRequest>()
  app.addHook('onSend', async (request, reply, payload) => {
    // An error handler's own response comes through here again; one event per request.
    if (recorded.has(request) || !isAudited(request) || UNRECORDED.has(reply.statusCode)) return payload
    recorded.add(request)
    try {
      await audit.record({
        actor: request.principal?.name ?? ANONYMOUS,
        ...(request.principal ? { tokenId: request.principal.tokenId } : {}),
        method: request.method,
        route: request.routeOptions.url!,
        resourceIds: resourceIdsOf(request),
        status: reply.statusCode,
        requestId: String(request.id),
        remoteAddress: request.ip,
      })
    } catch (error) {
      request.log.error({ err: error }, 'audit log write failed')
      // Answered here, in the error handler's shape: an error thrown from onSend reaches the
      // client without its error_code.
      void reply.code(503).header('content-type', 'application/json; charset=utf-8').header('retry-after', '1')
      return JSON.stringify({
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: 'The change may have been applied, but it could not be recorded in the audit log, so it is not acknowledged. Check the database, then read the resource before retrying.',
        request_id: String(request.id),
        retryAfterSeconds: 1,
      })
    }
    return payload
  })
}
