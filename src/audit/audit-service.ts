import { randomUUID } from 'node:crypto'
import { invalidParameter } from '../shared/errors.js'
import type { Page } from '../shared/page.js'
import type { AuditEvent, AuditFilter } from './audit-entities.js'
import type { AuditStore } from './audit-store.js'

export const MAX_AUDIT_PAGE = 1000

/** Limits that keep one event's row small whatever a client sends. */
const MAX_ID_FIELDS = 12
const MAX_ID_LENGTH = 256

export class AuditService {
  readonly #store: AuditStore
  readonly #now: () => number

  constructor(store: AuditStore, now: () => number = Date.now) {
    this.#store = store
    this.#now = now
  }

  /** Records a mutation; resolves once it is stored, so the caller may acknowledge the request. */
  record(event: Omit<AuditEvent, 'eventId' | 'time'>): Promise<void> {
    const resourceIds = Object.fromEntries(Object.entries(event.resourceIds).slice(0, MAX_ID_FIELDS).map(([k, v]) => [k, v.slice(0, MAX_ID_LENGTH)]))
    // The request id comes from the client's X-Request-Id: cut to the column, so no header can fail the write.
    const requestId = event.requestId.slice(0, 200)
    const remoteAddress = event.remoteAddress.slice(0, 100)
    return this.#store.append({ ...event, requestId, remoteAddress, resourceIds, eventId: randomUUID().replaceAll('-', ''), time: this.#now() })
  }

  list(filter: Partial<AuditFilter>): Promise<Page<AuditEvent>> {
    const maxResults = filter.maxResults ?? 100
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_AUDIT_PAGE) {
      throw invalidParameter(`max_results must be a whole number from 1 to ${MAX_AUDIT_PAGE}; got ${maxResults}.`)
    }
    if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
      throw invalidParameter(`since (${filter.since}) must be before until (${filter.until}); both are epoch milliseconds.`)
    }
    return this.#store.list({ ...filter, maxResults })
  }
}
