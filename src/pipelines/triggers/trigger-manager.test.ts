import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openSqliteDatabase } from '../../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../../storage/sql/sql-trigger-state-store.js'
import { checkTriggers, triggerKeys } from './trigger-checks.js'
import { ManualClock, MemoryTriggerSource, RecordingLauncher } from './trigger-fixtures.test-helper.js'
import { TriggerManager } from './trigger-manager.js'

describe('trigger manager', () => {
  let database: SqlDatabase
  before(async () => {
    database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
  })
  after(() => database.close())

  it('should arm valid triggers, warn about the rest, and follow pipeline changes', async () => {
    const source = new MemoryTriggerSource()
    const warnings: string[] = []
    const clock = new ManualClock('2026-03-10T02:59:00Z')
    const launcher = new RecordingLauncher()
    const manager = new TriggerManager({ source, launcher, store: new SqlTriggerStateStore(database), clock, pollIntervalMs: 3_600_000, log: (level, m) => level === 'warn' && warnings.push(m) })
    source.set('nightly', [
      { kind: 'cron', schedule: '0 3 * * *', params: {} },
      { kind: 'cron', schedule: 'every day', params: {} },
      { kind: 'alert', params: {} },
      { kind: 'data', params: {} },
    ])
    await manager.start()
    assert.deepEqual(manager.armed.map((a) => a.spec.kind), ['cron'])
    assert.equal(warnings.length, 3, warnings.join('\n'))
    assert.match(warnings.join('\n'), /triggers\[1\] is not armed: schedule 'every day'/)
    assert.match(warnings.join('\n'), /no monitor alerts wired in/)
    assert.match(warnings.join('\n'), /exactly one of dataset .* or prefix/)
    source.remove('nightly')
    await new Promise((resolve) => setImmediate(resolve))
    clock.set('2026-03-10T03:00:00Z')
    await manager.poll()
    await manager.stop()
    assert.deepEqual(manager.armed, [])
    assert.equal(launcher.runs.length, 0, 'a removed pipeline is not started')
  })

  it('should keep a trigger key when only its params change, and tell apart identical triggers', () => {
    const [a] = triggerKeys('p', [{ kind: 'alert', monitor: 'm', params: { x: '1' } }])
    const [b] = triggerKeys('p', [{ kind: 'alert', monitor: 'm', params: { x: '2' }, concurrency: 'forbid' }])
    const [c] = triggerKeys('p', [{ kind: 'alert', monitor: 'other', params: {} }])
    assert.equal(a, b)
    assert.notEqual(a, c)
    const twins = triggerKeys('p', [{ kind: 'webhook', params: {} }, { kind: 'webhook', params: {} }])
    assert.notEqual(twins[0], twins[1])
    assert.ok(triggerKeys('x'.repeat(500), [{ kind: 'webhook', params: {} }])[0]!.length < 300)
  })

  it('should refuse a pipeline with bad triggers, naming each', () => {
    assert.throws(
      () => checkTriggers([{ kind: 'webhook', params: { ok: '${{ trigger.any.path }}' } }, { kind: 'alert', conditionTypes: ['drift'], params: { r: '${{ trigger.reason }}' } }], 'pipelines/retrain.yaml'),
      (error: { code: string; message: string; details: { fields: string[] } }) => {
        assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
        assert.deepEqual(error.details.fields, ['triggers[1]'])
        assert.match(error.message, /conditionTypes: drift is not a condition type/)
        assert.match(error.message, /params\.r: trigger\.reason is not a field of this trigger; use one of seq, alertId/)
        return true
      },
    )
  })
})
