import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AlertEvent } from '../../monitoring/monitors/monitor-entities.js'
import type { MonitorService } from '../../monitoring/monitors/monitor-service.js'
import { TEST_BACKENDS } from '../../storage/contract/test-databases.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../../storage/sql/sql-trigger-state-store.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import { MemoryTriggerSource, RecordingLauncher, StoredAlertEvents } from './trigger-fixtures.test-helper.js'
import { TriggerManager } from './trigger-manager.js'
import type { AlertFeed } from './trigger-ports.js'

// MonitorService is what the server passes as `alerts`; this fails to compile if it stops fitting.
const asFeed = (monitors: MonitorService): AlertFeed => monitors
void asFeed

const retrain = (extra: Partial<Extract<TriggerSpec, { kind: 'alert' }>> = {}): TriggerSpec => ({
  kind: 'alert',
  monitor: 'churn-drift',
  params: { reason: '${{ trigger.monitorName }}/${{ trigger.conditionType }}', seq: '${{ trigger.seq }}' },
  ...extra,
})

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`timed out waiting for ${what}`)
}

for (const backend of TEST_BACKENDS) {
  describe(`${backend.name}: alert triggers`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    before(async () => {
      const opened = await backend.open()
      database = opened.database
      cleanup = opened.cleanup
    })
    after(() => cleanup())

    /** A fresh pipeline name per test keeps cursors and runs apart in the shared database. */
    let n = 0
    function setup(triggers: TriggerSpec[], policy: 'allow' | 'forbid' | 'replace' = 'allow') {
      const pipeline = `retrain-${++n}`
      const source = new MemoryTriggerSource()
      source.set(pipeline, triggers)
      const feed = new StoredAlertEvents(database)
      const store = new SqlTriggerStateStore(database)
      const launcher = new RecordingLauncher({ [pipeline]: policy })
      const manager = (l = launcher) => new TriggerManager({ source, launcher: l, store, alerts: feed, pollIntervalMs: 3_600_000, log: () => {} })
      return { pipeline, source, feed, store, launcher, manager }
    }

    it('should start one run with mapped params when a matching alert starts firing (bus)', async () => {
      const { feed, launcher, manager } = setup([retrain()])
      const m = manager()
      await m.start()
      const [event] = await feed.commit([{ monitorName: 'churn-drift' }], { publish: true })
      await until(() => launcher.runs.length === 1, 'the run')
      await m.stop()
      const { request } = launcher.runs[0]!
      assert.deepEqual(request.params, { reason: 'churn-drift/drift_share', seq: String(event!.seq) })
      assert.deepEqual([request.trigger.kind, request.trigger.eventId], ['alert', `alert:${event!.seq}`])
    })

    it('should not replay alerts that fired before the trigger existed', async () => {
      const { feed, launcher, manager } = setup([retrain()])
      await feed.commit([{ monitorName: 'churn-drift' }], { publish: false })
      const m = manager()
      await m.start()
      await m.poll()
      await m.stop()
      assert.equal(launcher.runs.length, 0)
    })

    it('should start runs only for firing events that pass every filter', async () => {
      const { feed, launcher, manager } = setup([retrain({ deployment: 'churn-api', conditionTypes: ['drift_share', 'feature_drift'], severity: 'critical' })])
      const m = manager()
      await m.start()
      const events = await feed.commit(
        [
          { monitorName: 'churn-drift', severity: 'critical' },
          { monitorName: 'churn-drift', severity: 'critical', kind: 'resolved' },
          { monitorName: 'churn-drift', severity: 'warning' },
          { monitorName: 'other-monitor', severity: 'critical' },
          { monitorName: 'churn-drift', severity: 'critical', deployment: 'fraud-api' },
          { monitorName: 'churn-drift', severity: 'critical', conditionType: 'latency_p99' },
          { monitorName: 'churn-drift', severity: 'critical', conditionType: 'feature_drift' },
        ],
        { publish: false },
      )
      await m.poll()
      await m.stop()
      assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId), [`alert:${events[0]!.seq}`, `alert:${events[6]!.seq}`])
    })

    it('should start the run for an event committed while no manager ran, once, after a restart', async () => {
      const { feed, launcher, store, manager } = setup([retrain()])
      const first = manager()
      await first.start()
      const key = first.armed[0]!.key
      await first.stop()
      const [missed] = await feed.commit([{ monitorName: 'churn-drift' }], { publish: false })
      const second = manager()
      await second.start()
      await second.stop()
      assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId), [`alert:${missed!.seq}`])
      assert.equal(await store.getCursor(key), String(missed!.seq))
      // A launcher that remembers nothing shows the cursor alone keeps the event from repeating.
      const forgetful = new RecordingLauncher()
      const third = manager(forgetful)
      await third.start()
      await third.stop()
      assert.equal(forgetful.runs.length, 0)
    })

    it('should pick up an event committed by another process on its next poll', async () => {
      const { feed, launcher, manager } = setup([retrain()])
      const m = manager()
      await m.start()
      await feed.commit([{ monitorName: 'churn-drift' }], { publish: false })
      assert.equal(launcher.runs.length, 0, 'no bus event reached this process')
      await m.poll()
      await m.stop()
      assert.equal(launcher.runs.length, 1)
    })

    it('should keep an event whose launch failed and start it on the next poll', async () => {
      const { feed, launcher, manager } = setup([retrain()])
      const m = manager()
      await m.start()
      launcher.failures = 1
      const events = await feed.commit([{ monitorName: 'churn-drift' }, { monitorName: 'churn-drift' }], { publish: false })
      await m.poll()
      assert.equal(launcher.runs.length, 0)
      await m.poll()
      await m.stop()
      assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId), events.map((e) => `alert:${e.seq}`))
    })

    it('should coalesce a storm of 50 alerts into one run under concurrency forbid', async () => {
      const { feed, launcher, store, manager } = setup([retrain()], 'forbid')
      const m = manager()
      await m.start()
      const events: AlertEvent[] = []
      for (let i = 0; i < 10; i++) events.push(...(await feed.commit(Array.from({ length: 5 }, () => ({ monitorName: 'churn-drift' })), { publish: true })))
      const last = String(events.at(-1)!.seq)
      await until(async () => (await store.getCursor(m.armed[0]!.key)) === last, 'every event read')
      assert.equal(events.length, 50)
      assert.equal(launcher.runs.length, 1)
      assert.equal(launcher.refused.length, 49)
      assert.ok(launcher.refused.every((r) => !r.result.started && r.result.reason === 'forbidden'))
      launcher.finish(launcher.runs[0]!.runId)
      await feed.commit([{ monitorName: 'churn-drift' }], { publish: true })
      await until(() => launcher.runs.length === 2, 'a run for the alert after the first run ended')
      await m.stop()
    })

    it('should leave the last alert of a storm running under concurrency replace', async () => {
      const { feed, launcher, store, manager } = setup([retrain({ concurrency: 'replace' })])
      const m = manager()
      await m.start()
      const events: AlertEvent[] = []
      for (let i = 0; i < 10; i++) events.push(...(await feed.commit(Array.from({ length: 5 }, () => ({ monitorName: 'churn-drift' })), { publish: true })))
      await until(async () => (await store.getCursor(m.armed[0]!.key)) === String(events.at(-1)!.seq), 'every event read')
      await m.stop()
      assert.equal(launcher.runs.length, 50)
      const active = launcher.active(launcher.runs[0]!.request.pipeline)
      assert.equal(active.length, 1)
      assert.equal(active[0]!.request.trigger.eventId, `alert:${events.at(-1)!.seq}`)
      assert.equal(launcher.runs.filter((r) => r.state === 'cancelled').length, 49)
    })

    it('should start one run per event when two replicas poll the same events', async () => {
      const { feed, launcher, store, manager } = setup([retrain()])
      const replicas = [manager(), manager()]
      for (const r of replicas) await r.start()
      const events: AlertEvent[] = []
      for (let i = 0; i < 4; i++) events.push(...(await feed.commit(Array.from({ length: 5 }, () => ({ monitorName: 'churn-drift' })), { publish: false })))
      await Promise.all([...replicas.map((r) => r.poll()), ...replicas.map((r) => r.poll())])
      for (const r of replicas) await r.stop()
      assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId).sort(), events.map((e) => `alert:${e.seq}`).sort())
      assert.equal(await store.getCursor(replicas[0]!.armed[0]!.key), String(events.at(-1)!.seq))
    })
  })
}
