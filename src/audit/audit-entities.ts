/** One mutation of the management API: who, what, when, from where, and how it ended. */
export interface AuditEvent {
  eventId: string
  /** Milliseconds since the epoch, when the response was decided. */
  time: number
  /** The token's name, or 'anonymous' on a server without --auth. */
  actor: string
  tokenId?: string
  method: string
  /** The route's pattern (`/api/plinth/v1/deployments/:name`), not the raw URL with its query. */
  route: string
  /** Path parameters and the identifying fields of the body (run_id, name, version, …). */
  resourceIds: Record<string, string>
  /** The HTTP status answered. */
  status: number
  requestId: string
  remoteAddress: string
}

export interface AuditFilter {
  actor?: string
  /** Inclusive lower bound of `time`. */
  since?: number
  /** Exclusive upper bound of `time`. */
  until?: number
  maxResults: number
  pageToken?: string
}

export const ANONYMOUS = 'anonymous'
