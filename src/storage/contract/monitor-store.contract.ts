import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Alert, Monitor, MonitorSpec } from '../../monitoring/monitors/monitor-entities.js'
import type { MonitorStore } from '../../monitoring/monitors/monitor-store.js'
import { SqlMonitorStore } from '../sql/sql-monitor-store.js'
import type { TestBackend } from './test-databases.js'

const spec = (name: string, deployment = 'churn-api'): MonitorSpec => ({
  name,
  target: { deployment },
  schedule: { everyMs: 60_000 },
  windowMs: 3_600_000,
  reference: { kind: 'version' },
  conditions: [{ type: 'drift_share', threshold: 0.5, for: 1, severity: 'warning' }],
  notifications: { webhooks: [{ url: 'http://127.0.0.1:9/hook', headers: {} }] },
  enabled: true,
})
const monitor = (id: string, name: string, nextRunAt = 1000, deployment?: string): Monitor => ({ id, spec: spec(name, deployment), nextRunAt, createdAt: 1, updatedAt: 1 })

function alert(id: string, monitorId: string, state: Alert['state'], at: number): Alert {
  return { id, monitorId, monitorName: 'm', deployment: 'churn-api', model: 'churn', condition: 'drift_share', conditionType: 'drift_share', severity: 'warning', state, streak: 1, since: at, startedAt: at, lastValue: 0.75, updatedAt: at }
}

/** The monitor store, on every backend. */
export function describeMonitorStore(backend: TestBackend): void {
  describe(`${backend.name}: MonitorStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: MonitorStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlMonitorStore(opened.database)
    })
    after(() => cleanup())

    it('should create a monitor and read it back by id and name', async () => {
      await store.create(monitor('m1', 'drift-watch'))
      assert.deepEqual((await store.get('m1'))?.spec, spec('drift-watch'))
      assert.equal((await store.getByName('drift-watch'))?.id, 'm1')
      assert.equal(await store.get('nope'), undefined)
    })

    it('should return RESOURCE_ALREADY_EXISTS for a taken name', async () => {
      await assert.rejects(store.create(monitor('m2', 'drift-watch')), { code: 'RESOURCE_ALREADY_EXISTS' })
    })

    it('should list monitors by deployment', async () => {
      await store.create(monitor('m3', 'other', 1000, 'fraud-api'))
      assert.deepEqual((await store.list()).map((m) => m.id), ['m1', 'm3'])
      assert.deepEqual((await store.list('fraud-api')).map((m) => m.id), ['m3'])
    })

    it('should let only one of many concurrent claimers take a due monitor', async () => {
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimDue(5000, `w${i}`, 9000, 10)))
      const taken = claims.flat().map((m) => m.id).sort()
      assert.deepEqual(taken, ['m1', 'm3'])
      assert.deepEqual(await store.claimDue(5000, 'late', 9000, 10), [])
    })

    it('should not claim a monitor on demand while its lease holds, and should after it lapses', async () => {
      assert.equal(await store.claim('m1', 6000, 'x', 10_000), undefined)
      assert.equal((await store.claim('m1', 9500, 'x', 20_000))?.id, 'm1')
      await assert.rejects(store.claim('missing', 1, 'x', 2), { code: 'RESOURCE_DOES_NOT_EXIST' })
    })

    it('should record a run with alerts, numbered events and deliveries, and release the lease', async () => {
      const events = await store.completeRun({
        run: { id: 'r1', monitorId: 'm1', time: 9600, outcome: 'failed', error: 'no data' },
        alerts: [{ alert: alert('a1', 'm1', 'firing', 9600), event: { alertId: 'a1', monitorId: 'm1', monitorName: 'm', deployment: 'churn-api', condition: 'drift_share', conditionType: 'drift_share', severity: 'warning', kind: 'fired', value: 0.75, startedAt: 9600, time: 9600 } }],
        deliveries: [{ id: 'd1', alertId: 'a1', target: { kind: 'webhook', url: 'http://127.0.0.1:9/hook', headers: { 'x-k': 'v' } }, payload: { hello: 1 } }],
        nextRunAt: 70_000,
        owner: 'x',
      })
      assert.equal(events.length, 1)
      assert.equal(events[0]!.seq, 1)
      const run = (await store.listRuns('m1', { limit: 5 }))[0]!
      assert.deepEqual([run.id, run.outcome, run.error], ['r1', 'failed', 'no data'])
      assert.equal((await store.get('m1'))?.nextRunAt, 70_000)
      assert.equal((await store.claim('m1', 9700, 'y', 9800))?.id, 'm1', 'the lease was released')
    })

    it('should update an alert in place and number later events after earlier ones', async () => {
      const resolved = { ...alert('a1', 'm1', 'resolved', 9900), startedAt: 9600, resolvedAt: 9900, lastValue: null }
      const events = await store.completeRun({
        run: { id: 'r2', monitorId: 'm1', time: 9900, outcome: 'ok' },
        alerts: [{ alert: resolved, event: { alertId: 'a1', monitorId: 'm1', monitorName: 'm', deployment: 'churn-api', condition: 'drift_share', conditionType: 'drift_share', severity: 'warning', kind: 'resolved', value: null, startedAt: 9600, time: 9900 } }],
        deliveries: [],
        nextRunAt: 80_000,
        owner: 'y',
      })
      assert.equal(events[0]!.seq, 2)
      const alerts = await store.alertsOf('m1')
      assert.equal(alerts.length, 1)
      assert.deepEqual([alerts[0]!.state, alerts[0]!.resolvedAt, alerts[0]!.lastValue, alerts[0]!.startedAt], ['resolved', 9900, null, 9600])
      assert.deepEqual((await store.listEvents(1, 10)).map((e) => [e.seq, e.kind]), [[2, 'resolved']])
      assert.deepEqual((await store.listEvents(0, 10, { deployment: 'fraud-api' })), [])
      assert.equal((await store.getAlert('a1'))?.state, 'resolved')
      assert.deepEqual((await store.listAlerts({ state: 'resolved', maxResults: 10 })).map((a) => a.id), ['a1'])
      assert.deepEqual(await store.listAlerts({ state: 'firing', maxResults: 10 }), [])
      assert.deepEqual((await store.latestRuns()).map((r) => r.id), ['r2'])
    })

    it('should delete old runs but keep each monitor\'s latest', async () => {
      assert.equal(await store.deleteRunsBefore(1_000_000), 1, 'r1 goes, r2 is the latest')
      assert.deepEqual((await store.listRuns('m1', { limit: 5 })).map((r) => r.id), ['r2'])
      assert.equal(await store.deleteRunsBefore(1_000_000), 0)
    })

    it('should claim a due delivery once, and keep it pending with a later attempt time', async () => {
      const [a, b] = await Promise.all([store.claimDeliveries(10_000, 'p', 20_000, 5), store.claimDeliveries(10_000, 'q', 20_000, 5)])
      assert.equal(a!.length + b!.length, 1)
      const claimed = [...a!, ...b!][0]!
      assert.deepEqual([claimed.id, claimed.target, claimed.payload, claimed.attempts], ['d1', { kind: 'webhook', url: 'http://127.0.0.1:9/hook', headers: { 'x-k': 'v' } }, { hello: 1 }, 0])
      await store.updateDelivery('d1', { status: 'pending', attempts: 1, nextAttemptAt: 15_000, lastError: 'HTTP 503' }, 10_001)
      assert.deepEqual(await store.claimDeliveries(12_000, 'p', 20_000, 5), [], 'not due yet')
      const again = await store.claimDeliveries(15_000, 'p', 20_000, 5)
      assert.deepEqual(again.map((d) => [d.attempts, d.lastError]), [[1, 'HTTP 503']])
      await store.updateDelivery('d1', { status: 'delivered', attempts: 2, nextAttemptAt: 15_000 }, 15_001)
      assert.deepEqual(await store.claimDeliveries(99_000, 'p', 100_000, 5), [])
      assert.equal((await store.listDeliveries('m1', 5))[0]!.status, 'delivered')
      assert.equal(await store.deleteFinishedDeliveries(15_001), 0, 'not older than the cut-off')
      assert.equal(await store.deleteFinishedDeliveries(15_002), 1)
      assert.deepEqual(await store.listDeliveries('m1', 5), [])
    })

    it('should delete a monitor with its runs and alerts but keep its events', async () => {
      assert.equal(await store.delete('m1'), true)
      assert.equal(await store.delete('m1'), false)
      assert.deepEqual(await store.listRuns('m1', { limit: 5 }), [])
      assert.deepEqual(await store.alertsOf('m1'), [])
      assert.equal((await store.listEvents(0, 10)).length, 2)
    })
  })
}
