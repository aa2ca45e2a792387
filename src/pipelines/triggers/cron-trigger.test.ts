import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openSqliteDatabase } from '../../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../../storage/sql/sql-trigger-state-store.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import { cronOf, latestTick } from './cron-trigger.js'
import { triggerProblems } from './trigger-checks.js'
import { ManualClock, MemoryTriggerSource, RecordingLauncher } from './trigger-fixtures.test-helper.js'
import { TriggerManager } from './trigger-manager.js'

const nightly = (extra: Partial<Extract<TriggerSpec, { kind: 'cron' }>> = {}): TriggerSpec => ({ kind: 'cron', schedule: '0 3 * * *', params: { at: '${{ trigger.time }}' }, ...extra })

describe('cron triggers', () => {
  let database: SqlDatabase
  before(async () => {
    database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
  })
  after(() => database.close())

  let n = 0
  function setup(spec: TriggerSpec, start: string) {
    const pipeline = `nightly-${++n}`
    const source = new MemoryTriggerSource()
    source.set(pipeline, [spec])
    const clock = new ManualClock(start)
    const launcher = new RecordingLauncher()
    const store = new SqlTriggerStateStore(database)
    const manager = (l = launcher) => new TriggerManager({ source, launcher: l, store, clock, pollIntervalMs: 3_600_000, log: () => {} })
    return { clock, launcher, store, manager }
  }

  it('should read five fields (minute first) and six (seconds first) in the given time zone', () => {
    const now = Date.parse('2026-03-10T12:00:00Z')
    assert.equal(new Date(latestTick(cronOf({ schedule: '0 3 * * *' }), now)!).toISOString(), '2026-03-10T03:00:00.000Z')
    assert.equal(new Date(latestTick(cronOf({ schedule: '0 3 * * *', timezone: 'Europe/Paris' }), now)!).toISOString(), '2026-03-10T02:00:00.000Z')
    assert.equal(new Date(latestTick(cronOf({ schedule: '30 */5 * * * *' }), now)!).toISOString(), '2026-03-10T11:55:30.000Z')
  })

  it('should refuse a malformed schedule or time zone, saying how to write one', () => {
    assert.match(triggerProblems(nightly({ schedule: '* * *' }))[0]!, /five fields/)
    assert.match(triggerProblems(nightly({ timezone: 'Mars/Olympus' }))[0]!, /IANA time zone/)
    assert.match(triggerProblems(nightly({ params: { x: '${{ trigger.nope }}' } }))[0]!, /params\.x: trigger\.nope is not a field/)
  })

  it('should fire each tick once, with the tick time as event id and param', async () => {
    const { clock, launcher, manager } = setup(nightly(), '2026-03-10T02:59:00Z')
    const m = manager()
    await m.start()
    await m.poll()
    assert.equal(launcher.runs.length, 0)
    clock.set('2026-03-10T03:00:00.250Z')
    await m.poll()
    await m.poll()
    clock.set('2026-03-11T03:00:01Z')
    await m.poll()
    await m.stop()
    assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId), ['cron:2026-03-10T03:00:00.000Z', 'cron:2026-03-11T03:00:00.000Z'])
    assert.deepEqual(launcher.runs[0]!.request.params, { at: '2026-03-10T03:00:00.000Z' })
  })

  it('should start one run when two replicas fire the same tick', async () => {
    const { clock, launcher, manager } = setup(nightly(), '2026-03-10T02:59:00Z')
    const replicas = [manager(), manager()]
    for (const r of replicas) await r.start()
    clock.set('2026-03-10T03:00:00Z')
    await Promise.all(replicas.map((r) => r.poll()))
    for (const r of replicas) await r.stop()
    assert.equal(launcher.runs.length, 1)
    assert.deepEqual(launcher.refused.map((r) => r.result), [{ started: false, reason: 'duplicate' }])
  })

  it('should skip ticks missed while no replica ran, by default', async () => {
    const { clock, launcher, manager } = setup(nightly(), '2026-03-10T03:00:00Z')
    const first = manager()
    await first.start()
    await first.stop()
    clock.set('2026-03-12T12:00:00Z')
    const second = manager()
    await second.start()
    await second.stop()
    assert.equal(launcher.runs.length, 0)
  })

  it('should fire only the latest missed tick, once, with catchup', async () => {
    const { clock, launcher, manager } = setup(nightly({ catchup: true }), '2026-03-10T02:59:00Z')
    const first = manager()
    await first.start()
    clock.set('2026-03-10T03:00:00Z')
    await first.poll()
    await first.stop()
    clock.set('2026-03-12T12:00:00Z')
    const second = manager()
    await second.start()
    await second.poll()
    await second.stop()
    const forgetful = new RecordingLauncher()
    const third = manager(forgetful)
    await third.start()
    await third.stop()
    assert.deepEqual(launcher.runs.map((r) => r.request.trigger.eventId), ['cron:2026-03-10T03:00:00.000Z', 'cron:2026-03-12T03:00:00.000Z'])
    assert.equal(forgetful.runs.length, 0, 'the stored last tick keeps a restart from catching up twice')
  })
})
