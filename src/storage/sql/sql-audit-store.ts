import type { Kysely, Selectable } from 'kysely'
import type { AuditEvent, AuditFilter } from '../../audit/audit-entities.js'
import type { AuditStore } from '../../audit/audit-store.js'
import { invalidParameter } from '../../shared/errors.js'
import type { Page } from '../../shared/page.js'
import type { AuditLogTable, Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { translated } from './translate-error.js'

/** Where the next page starts: the last event shown, so rows written meanwhile never shift pages. */
interface Cursor {
  time: number
  id: string
}

function encodeCursor(event: AuditEvent): string {
  return Buffer.from(JSON.stringify({ time: event.time, id: event.eventId })).toString('base64url')
}

function decodeCursor(token: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>
    if (typeof parsed.time === 'number' && typeof parsed.id === 'string') return { time: parsed.time, id: parsed.id }
  } catch {
    // Reported below.
  }
  throw invalidParameter(`Invalid page token '${token}'. Pass the next_page_token of a previous response unchanged.`)
}

function toEvent(row: Selectable<AuditLogTable>): AuditEvent {
  const event: AuditEvent = {
    eventId: row.event_id,
    time: Number(row.time),
    actor: row.actor,
    method: row.method,
    route: row.route,
    resourceIds: JSON.parse(row.resource_ids) as Record<string, string>,
    status: Number(row.status),
    requestId: row.request_id,
    remoteAddress: row.remote_address,
  }
  if (row.token_id !== null) event.tokenId = row.token_id
  return event
}

function toRow(event: AuditEvent): AuditLogTable {
  return {
    event_id: event.eventId, time: event.time, actor: event.actor, token_id: event.tokenId ?? null, method: event.method, route: event.route,
    resource_ids: JSON.stringify(event.resourceIds), status: event.status, request_id: event.requestId, remote_address: event.remoteAddress,
  }
}

export class SqlAuditStore implements AuditStore {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  append(events: readonly AuditEvent[]): Promise<void> {
    return translated(async () => {
      if (events.length === 0) return
      await this.#db.insertInto('audit_log').values(events.map(toRow)).execute()
    })
  }

  list(filter: AuditFilter): Promise<Page<AuditEvent>> {
    return translated(async () => {
      let query = this.#db.selectFrom('audit_log').selectAll()
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor)
      if (filter.since !== undefined) query = query.where('time', '>=', filter.since)
      if (filter.until !== undefined) query = query.where('time', '<', filter.until)
      if (filter.pageToken) {
        const cursor = decodeCursor(filter.pageToken)
        query = query.where((eb) => eb.or([eb('time', '<', cursor.time), eb.and([eb('time', '=', cursor.time), eb('event_id', '<', cursor.id)])]))
      }
      const rows = await query.orderBy('time', 'desc').orderBy('event_id', 'desc').limit(filter.maxResults + 1).execute()
      const items = rows.slice(0, filter.maxResults).map(toEvent)
      return rows.length > filter.maxResults ? { items, nextPageToken: encodeCursor(items.at(-1)!) } : { items }
    })
  }
}
