import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { MAX_AUDIT_PAGE, type AuditEvent, type AuditService } from '../audit/index.js'

const EventSchema = T.Object({
  event_id: T.String(),
  time: T.Integer(),
  actor: T.String(),
  token_id: T.Optional(T.String()),
  method: T.String(),
  route: T.String(),
  resource_ids: T.Record(T.String(), T.String()),
  status: T.Integer(),
  request_id: T.String(),
  remote_address: T.String(),
})

const Query = T.Object(
  {
    actor: T.Optional(T.String({ minLength: 1 })),
    since: T.Optional(T.Integer({ minimum: 0, description: 'epoch milliseconds, inclusive' })),
    until: T.Optional(T.Integer({ minimum: 0, description: 'epoch milliseconds, exclusive' })),
    max_results: T.Optional(T.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE })),
    page_token: T.Optional(T.String()),
  },
  { additionalProperties: false },
)

export function auditEventToWire(e: AuditEvent): Static<typeof EventSchema> {
  return {
    event_id: e.eventId, time: e.time, actor: e.actor, token_id: e.tokenId, method: e.method, route: e.route,
    resource_ids: e.resourceIds, status: e.status, request_id: e.requestId, remote_address: e.remoteAddress,
  }
}

/** `GET /api/plinth/v1/audit`: the audit log, newest first; admins only when auth is on. */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditService): void {
  const schema = { querystring: Query, response: { 200: T.Object({ events: T.Array(EventSchema), next_page_token: T.Optional(T.String()) }) } }
  app.get('/audit', { config: { access: 'admin' }, schema }, async (request) => {
    const q = request.query as Static<typeof Query>
    const page = await audit.list({
      maxResults: q.max_results ?? 100,
      ...(q.actor !== undefined ? { actor: q.actor } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.until !== undefined ? { until: q.until } : {}),
      ...(q.page_token ? { pageToken: q.page_token } : {}),
    })
    return { events: page.items.map(auditEventToWire), next_page_token: page.nextPageToken }
  })
}
