import { randomUUID } from 'node:crypto'
import { invalidParameter } from '../shared/errors.js'
import type { Page } from '../shared/page.js'
import type { AuditEvent, AuditFilter } from './audit-entities.js'
import type { AuditStore } from './audit-store.js'

export const MAX_AUDIT_PAGE = 1000

/** Limits that keep one event's row small whatever a client sends. */
const MAX_ID_FIELDS = 12
const MAX_ID_LENGTH = 256
/** Events per insert: 10 columns each stays under SQLite's and PostgreSQL's bound-parameter limits. */
const MAX_BATCH = 500

interface Waiting {
  event: AuditEvent
  resolve(): void
  reject(error: unknown): void
}

export class AuditService {
  readonly #store: AuditStore
  readonly #now: () => number
  readonly #queue: Waiting[] = []
  #writing = false

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
    const full = { ...event, requestId, remoteAddress, resourceIds, eventId: randomUUID().replaceAll('-', ''), time: this.#now() }
    return new Promise((resolve, reject) => {
      this.#queue.push({ event: full, resolve, reject })
      if (!this.#writing) void this.#flush()
    })
  }

  /**
   * Group commit: while one insert is in flight, the events of concurrent mutations queue up and
   * go in the next one together, so the audit log costs one transaction per batch, not per request.
   */
  async #flush(): Promise<void> {
    this.#writing = true
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH)
      try {
        await this.#store.append(batch.map((w) => w.event))
        for (const w of batch) w.resolve()
      } catch (error) {
        for (const w of batch) w.reject(error)
      }
    }
    this.#writing = false
  }

  list(filter: Partial<AuditFilter>): Promise<Page<AuditEvent>> {
    const maxResults = filter.maxResults ?? 100
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_AUDIT_PAGE) {
      throw invalidParameter(`max_results must be a whole number from 1 to ${MAX_AUDIT_PAGE}; got ${maxResults}.`)
    }
    for (const [name, value] of [['since', filter.since], ['until', filter.until]] as const) {
      // The query schema's integer check lets Infinity through (Infinity % 1 is NaN, not truthy).
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) throw invalidParameter(`${name} must be epoch milliseconds (a whole number of at least 0); got ${value}.`)
    }
    if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
      throw invalidParameter(`since (${filter.since}) must be before until (${filter.until}); both are epoch milliseconds.`)
    }
    return this.#store.list({ ...filter, maxResults })
  }
}
