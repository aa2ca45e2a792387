import type { Page } from '../shared/page.js'
import type { AuditEvent, AuditFilter } from './audit-entities.js'

/** Where audit events are kept; append-only, read newest first. */
export interface AuditStore {
  /** Stores all of them in one transaction, or none. */
  append(events: readonly AuditEvent[]): Promise<void>
  list(filter: AuditFilter): Promise<Page<AuditEvent>>
}
