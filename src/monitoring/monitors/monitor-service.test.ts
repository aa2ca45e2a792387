import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { openSqliteDatabase } from '../../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import { SqlMonitorStore } from '../../storage/sql/sql-monitor-store.js'
import type { DriftFrame } from '../drift/detect-drift.js'
import { MemoryPredictionLogStore } from '../../testing/memory-prediction-log-store.js'
import { loggedRequest } from './monitor-fixtures.test-helper.js'
import { PredictionLogDataSource, type PerformanceSource, type ReferenceSource } from './monitor-data-source.js'
import { toDriftFrame } from './monitor-evaluation.js'
import { MonitorService } from './monitor-service.js'

/** An in-memory reference: the ReferenceSource port faked, as registry reads are tested elsewhere. */
const references = (frame: DriftFrame): ReferenceSource => ({
  resolve: async (target) => ('deployment' in target ? { deployment: target.deployment, model: 'churn', version: '1' } : { model: target.model, version: '1' }),
  load: async () => frame,
})

describe('MonitorService on a shared database', () => {
  let folder: string
  let databases: SqlDatabase[]
  let services: MonitorService[]
  let clock = 1_000_000
  const logs = new MemoryPredictionLogStore()

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-monitor-service-'))
    const file = join(folder, 'plinth.db')
    databases = [openSqliteDatabase(file), openSqliteDatabase(file)]
    await migrateToLatest(databases[0]!)
    const frame = toDriftFrame(new Map([['a', Array.from({ length: 100 }, (_, i) => i % 10)]]))
    // Two workers: each its own connection, as `plinth server --workers 2` has.
    services = databases.map((db) => new MonitorService({ store: new SqlMonitorStore(db), data: new PredictionLogDataSource(logs, { maxRows: 50 }), references: references(frame), clock: { now: () => clock } }))
  })
  after(async () => {
    for (const db of databases) await db.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should run a due monitor once however many workers claim it', async () => {
    await services[0]!.create({ name: 'watch', deployment: 'api', schedule: { every: '1m' }, window: '1h', conditions: [{ type: 'no_traffic', min_requests: 5 }] })
    clock += 60_000
    const ran = await Promise.all([...services, ...services].map((s) => s.runDue()))
    assert.equal(ran.reduce((a, b) => a + b, 0), 1)
    assert.equal((await services[1]!.runs('watch', {})).length, 1)
    assert.deepEqual(await Promise.all(services.map((s) => s.runDue())), [0, 0], 'not due again until a minute later')
    clock += 60_000
    assert.equal((await services[1]!.runDue()) + (await services[0]!.runDue()), 1)
  })

  it('should cap the rows a window holds but count every request', async () => {
    await logs.appendBatch(Array.from({ length: 8 }, (_, i) => loggedRequest(clock - 1000 + i, { a: Array.from({ length: 10 }, (_, j) => j) }, { deployment: 'api' })))
    await logs.appendBatch([loggedRequest(clock - 10, {}, { deployment: 'api', error: 'BAD_INPUT' })])
    const run = await services[0]!.runNow('watch')
    const r = run.results!
    assert.deepEqual([r.requests, r.errors, r.rows, r.errorRate], [9, 1, 50, 1 / 9])
    assert.equal(r.drift!.features[0]!.feature, 'a')
  })

  it('should record a run as failed, not crash, without data or a target', async () => {
    const store = new SqlMonitorStore(databases[0]!)
    const now = { now: () => clock }
    const noData = await new MonitorService({ store, references: references(new Map()), clock: now }).runNow('watch')
    assert.deepEqual([noData.outcome, noData.error], ['failed', 'Prediction logging is not enabled on this server, so monitors have no data to read; enable prediction logs.'])
    const gone: ReferenceSource = { resolve: async () => { throw new AppError('RESOURCE_DOES_NOT_EXIST', "No deployment named 'api'.") }, load: async () => new Map() }
    const noTarget = await new MonitorService({ store, data: new PredictionLogDataSource(logs), references: gone, clock: now }).runNow('watch')
    assert.deepEqual([noTarget.outcome, noTarget.error], ['failed', "No deployment named 'api'."])
    assert.equal((await store.get((await services[0]!.get('watch')).id))?.nextRunAt, clock + 60_000, 'a failed run is rescheduled too')
  })

  it('should judge performance_drop on the performance source and keep it in the run', async () => {
    const asked: string[] = []
    const performance: PerformanceSource = {
      performance: async (query, metric) => {
        asked.push(`${query.deployment}:${metric}:${query.end - query.start}`)
        return { realized: 0.8, estimated: 0.82 }
      },
    }
    const service = new MonitorService({ store: new SqlMonitorStore(databases[0]!), data: new PredictionLogDataSource(logs), performance, references: references(new Map()), clock: { now: () => clock } })
    await service.create({ name: 'quality', deployment: 'api', schedule: { every: '1h' }, window: '1d', conditions: [{ type: 'performance_drop', metric: 'accuracy', max_drop: 0.05, baseline: 0.9 }] })
    const run = await service.runNow('quality')
    assert.deepEqual(asked, ['api:accuracy:86400000'])
    assert.deepEqual(run.results!.performance, { accuracy: { realized: 0.8, estimated: 0.82 } })
    const [condition] = run.results!.conditions
    assert.equal(condition!.holds, true)
    assert.ok(Math.abs(condition!.value! - 0.1) < 1e-12)
    assert.equal((await service.alerts({ monitor: 'quality', state: 'firing' })).length, 1)
  })
})
