import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AuditService, type AuditEvent } from '../../audit/index.js'
import { SqlAuditStore } from '../sql/sql-audit-store.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import type { TestBackend } from './test-databases.js'

function event(i: number, actor: string): AuditEvent {
  const e: AuditEvent = {
    eventId: `e${String(i).padStart(4, '0')}`, time: 1_000 + Math.floor(i / 2), actor, method: 'POST', route: '/api/plinth/v1/deployments/:name',
    resourceIds: { name: `d${i}` }, status: i % 3 ? 200 : 409, requestId: `req-${i}`, remoteAddress: '10.0.0.1',
  }
  if (actor !== 'anonymous') e.tokenId = `tok-${actor}`
  return e
}

/** The audit store's contract, run by each SQL backend's test. */
export function describeAuditStore(backend: TestBackend): void {
  describe(`${backend.name}: audit store`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    let store: SqlAuditStore
    const events = Array.from({ length: 9 }, (_, i) => event(i, i % 2 ? 'alice' : 'anonymous'))
    before(async () => {
      ;({ database, cleanup } = await backend.open())
      store = new SqlAuditStore(database)
      await store.append(events.slice(0, 1))
      await store.append(events.slice(1))
    })
    after(() => cleanup())

    it('should return events newest first, unchanged, across pages that share a timestamp', async () => {
      const seen: AuditEvent[] = []
      let pageToken: string | undefined
      do {
        const page = await store.list({ maxResults: 2, ...(pageToken ? { pageToken } : {}) })
        seen.push(...page.items)
        pageToken = page.nextPageToken
      } while (pageToken)
      assert.deepEqual(seen, [...events].reverse())
    })

    it('should filter by actor and by a time window', async () => {
      const alice = await store.list({ actor: 'alice', maxResults: 100 })
      assert.deepEqual(alice.items.map((e) => e.eventId), ['e0007', 'e0005', 'e0003', 'e0001'])
      const window = await store.list({ since: 1_001, until: 1_003, maxResults: 100 })
      assert.deepEqual(window.items.map((e) => e.eventId), ['e0005', 'e0004', 'e0003', 'e0002'])
    })

    it('should store what the service records from any client-sent request id, cut to fit', async () => {
      const service = new AuditService(store, () => 5_000)
      await service.record({ actor: 'bob', method: 'PUT', route: '/x/*', resourceIds: { path: 'p'.repeat(1000) }, status: 200, requestId: 'r'.repeat(5000), remoteAddress: '::1' })
      const [stored] = (await store.list({ actor: 'bob', maxResults: 1 })).items
      assert.equal(stored!.requestId, 'r'.repeat(200))
      assert.equal(stored!.resourceIds.path, 'p'.repeat(256))
    })

    it('should write the events of concurrent records, and fail every waiter of a batch that fails', async () => {
      const service = new AuditService(store, () => 6_000)
      const base = { method: 'POST', route: '/r', resourceIds: {}, status: 200, requestId: 'q', remoteAddress: '::1' }
      await Promise.all(Array.from({ length: 20 }, (_, i) => service.record({ ...base, actor: `c${i % 2}` })))
      assert.equal((await store.list({ since: 6_000, until: 6_001, maxResults: 100 })).items.length, 20)
      const broken = new AuditService({ append: () => Promise.reject(new Error('disk full')), list: (f) => store.list(f) })
      const results = await Promise.allSettled([1, 2, 3].map(() => broken.record({ ...base, actor: 'x' })))
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected'])
    })

    it('should refuse a page token it did not make', async () => {
      await assert.rejects(store.list({ maxResults: 5, pageToken: 'garbage' }), (e: Error & { code?: string }) => e.code === 'INVALID_PARAMETER_VALUE')
    })
  })
}
