import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Alert } from '../monitoring/monitors/monitor-entities.js'
import { webhookPayload } from '../monitoring/monitors/notification-payloads.js'
import { MemoryTriggerSource, RecordingLauncher } from '../pipelines/triggers/trigger-fixtures.test-helper.js'
import { TriggerManager } from '../pipelines/triggers/trigger-manager.js'
import { openSqliteDatabase } from '../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../storage/sql/schema-migrator.js'
import type { SqlDatabase } from '../storage/sql/sql-database.js'
import { SqlTriggerStateStore } from '../storage/sql/sql-trigger-state-store.js'
import { call } from '../testing/test-services.js'
import { installErrorHandler } from './error-handler.js'
import { registerPipelineTriggerRoutes } from './pipeline-trigger-routes.js'

const API = '/api/plinth/v1'

const firingAlert: Alert = { id: 'al-7', monitorId: 'm-1', monitorName: 'churn-drift', deployment: 'churn-api', model: 'churn', condition: 'drift_share', conditionType: 'drift_share', severity: 'critical', state: 'firing', streak: 2, since: 1_700_000_000_000, startedAt: 1_700_000_000_000, lastValue: 0.61, updatedAt: 1_700_000_000_000 }

describe('pipeline webhook route', () => {
  let app: FastifyInstance
  let database: SqlDatabase
  const source = new MemoryTriggerSource()
  const launcher = new RecordingLauncher({ guarded: 'forbid' })
  before(async () => {
    database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
    source.set('retrain', [{ kind: 'webhook', params: { table: '${{ trigger.table }}', rows: '${{ trigger.stats.rows }}' } }])
    source.set('nightly', [{ kind: 'cron', schedule: '0 3 * * *', params: {} }])
    source.set('guarded', [{ kind: 'webhook', params: {} }])
    source.set('on-drift', [{ kind: 'webhook', params: { reason: '${{ trigger.monitorName }}: ${{ trigger.condition.type }} = ${{ trigger.value }}', severity: '${{ trigger.alert.severity }}' } }])
    const triggers = new TriggerManager({ source, launcher, store: new SqlTriggerStateStore(database), log: () => {} })
    app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } } })
    installErrorHandler(app)
    await app.register(async (api) => registerPipelineTriggerRoutes(api, triggers), { prefix: API })
    await app.ready()
  })
  after(async () => {
    await app.close()
    await database.close()
  })

  it('should start a run with params mapped from the body and answer 202 with its id', async () => {
    const response = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, { table: 'events', stats: { rows: 1200 } })
    assert.equal(response.status, 202)
    assert.equal(response.body.started, true)
    const run = launcher.runs.find((r) => r.runId === response.body.run_id)!
    assert.deepEqual(run.request.params, { table: 'events', rows: '1200' })
    assert.equal(run.request.trigger.kind, 'webhook')
  })

  it('should start no second run for a retried event id (header or body)', async () => {
    const body = { table: 't', stats: { rows: 1 } }
    const first = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, body, { 'x-plinth-event-id': 'upload-42' })
    const again = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, body, { 'x-plinth-event-id': 'upload-42' })
    const byBody = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, { ...body, event_id: 'upload-42' })
    assert.deepEqual([first.status, first.body.started], [202, true])
    assert.deepEqual([again.status, again.body], [202, { started: false, reason: 'duplicate' }])
    assert.deepEqual(byBody.body, { started: false, reason: 'duplicate' })
  })

  it('should answer 400 naming the params whose fields the body lacks', async () => {
    const response = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, { table: 'events' })
    assert.equal(response.status, 400)
    assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
    assert.match(response.body.message, /params\.rows: the event has no field trigger\.stats\.rows/)
    assert.deepEqual(response.body.fields, ['params.rows'])
    const notObject = await call(app, 'POST', `${API}/pipelines/retrain/webhook`, [1, 2])
    assert.equal(notObject.status, 400)
  })

  it('should answer 404 for an unknown pipeline and for one without a webhook trigger', async () => {
    const unknown = await call(app, 'POST', `${API}/pipelines/nope/webhook`, {})
    const cronOnly = await call(app, 'POST', `${API}/pipelines/nightly/webhook`, {})
    assert.deepEqual([unknown.status, unknown.body.error_code], [404, 'RESOURCE_DOES_NOT_EXIST'])
    assert.equal(cronOnly.status, 404)
    assert.match(cronOnly.body.message, /no webhook trigger/)
  })

  it('should report the active run when the pipeline forbids overlapping runs', async () => {
    const first = await call(app, 'POST', `${API}/pipelines/guarded/webhook`, {})
    const second = await call(app, 'POST', `${API}/pipelines/guarded/webhook`, {})
    assert.equal(first.body.started, true)
    assert.deepEqual(second.body, { started: false, reason: 'forbidden', active_run_id: first.body.run_id })
  })

  it("should take a Plinth monitor's own webhook body: one run per firing, none on resolve", async () => {
    const firing = webhookPayload(firingAlert, 'http://plinth:5000', 1_700_000_100_000)
    const redelivered = webhookPayload(firingAlert, 'http://plinth:5000', 1_700_000_200_000)
    const resolved = webhookPayload({ ...firingAlert, state: 'resolved', resolvedAt: 1_700_000_300_000 }, 'http://plinth:5000', 1_700_000_300_000)
    const started = await call(app, 'POST', `${API}/pipelines/on-drift/webhook`, firing)
    const duplicate = await call(app, 'POST', `${API}/pipelines/on-drift/webhook`, redelivered)
    const ignored = await call(app, 'POST', `${API}/pipelines/on-drift/webhook`, resolved)
    assert.equal(started.body.started, true)
    const run = launcher.runs.find((r) => r.runId === started.body.run_id)!
    assert.deepEqual(run.request.params, { reason: 'churn-drift: drift_share = 0.61', severity: 'critical' })
    assert.equal(run.request.trigger.eventId, `webhook:alert:al-7:${new Date(firingAlert.startedAt!).toISOString()}`)
    assert.deepEqual(duplicate.body, { started: false, reason: 'duplicate' })
    assert.deepEqual(ignored.body, { started: false, reason: 'alert_resolved' })
  })
})
