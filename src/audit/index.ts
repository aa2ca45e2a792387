export * from './audit-entities.js'
export type { AuditStore } from './audit-store.js'
export { AuditService, MAX_AUDIT_PAGE } from './audit-service.js'
