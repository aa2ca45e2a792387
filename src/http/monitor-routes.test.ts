import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createServices, type Services } from '../app/services.js'
import { resolveConfig } from '../config/index.js'
import { MemoryPredictionLogStore } from '../testing/memory-prediction-log-store.js'
import { loggedRequest } from '../monitoring/monitors/monitor-fixtures.test-helper.js'
import { attachReference, featureRows, startReceiver, toCsv } from '../monitoring/monitors/monitor-fixtures.test-helper.js'
import type { AlertEvent } from '../monitoring/monitors/monitor-entities.js'
import { seedModel } from '../testing/registry-fixtures.js'
import { call as rawCall } from '../testing/test-services.js'
import { createApp } from './create-app.js'

const API = '/api/plinth/v1'

describe('monitor and alert routes', () => {
  let app: FastifyInstance
  let services: Services
  let folder: string
  const logs = new MemoryPredictionLogStore()
  const statuses: number[] = []
  const seen: AlertEvent[] = []
  let hook: Awaited<ReturnType<typeof startReceiver>>
  let refused: Awaited<ReturnType<typeof startReceiver>>
  const call = async (...args: Parameters<typeof rawCall> extends [unknown, ...infer R] ? R : never) => {
    const response = await rawCall(app, ...args)
    statuses.push(response.status)
    return response
  }
  const expectError = async (status: number, code: string, message: RegExp, ...args: Parameters<typeof call>) => {
    const response = await call(...args)
    assert.equal(response.status, status, JSON.stringify(response.body))
    assert.equal(response.body.error_code, code)
    assert.match(response.body.message, message)
  }
  /** Logs `n` requests in the last half hour, features shifted by `shift`. */
  const traffic = async (shift: number, seed: number, n = 40) => {
    logs.remove(() => true)
    const now = Date.now()
    const batch = Array.from({ length: n }, (_, i) => loggedRequest(now - 1_800_000 + i * 1000, featureRows(10, shift, seed + i), { deployment: 'churn-api', latencyMs: 2 + (i % 5) }))
    await logs.appendBatch(batch)
  }
  /** Sends every due delivery, waiting out backoff (milliseconds here). */
  const drainDeliveries = async (until: () => boolean) => {
    for (let i = 0; i < 200 && !until(); i++) {
      await services.monitorScheduler.tick()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const spec = (name: string, webhook: string) => ({
    name,
    deployment: 'churn-api',
    schedule: { every: '1h' },
    window: '1h',
    conditions: [
      { type: 'drift_share', threshold: 0.5 },
      { type: 'feature_drift', feature: 'a', method: 'psi' },
      { type: 'no_traffic', min_requests: 1 },
    ],
    notifications: { webhooks: [{ url: `${webhook}/hook`, headers: { 'X-Token': 'secret' } }] },
  })

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-monitor-routes-'))
    const config = resolveConfig({ backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts') }, {})
    services = await createServices(config, { predictionLogs: logs, monitoring: { retryPolicy: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 40 } } })
    app = await createApp(services)
    await app.ready()
    const { runId } = await seedModel(services, 'churn', 1, { champion: 1 })
    await attachReference(services, 'churn', 1, runId, toCsv(featureRows(400, 0, 1)))
    await services.deployments.create('churn-api', { routes: [{ model: 'churn', alias: 'champion', weight: 100 }] })
    services.monitors.events.subscribe((e) => seen.push(e))
    hook = await startReceiver({ failFirst: 2, failStatus: 503 })
    refused = await startReceiver({ failFirst: 100, failStatus: 400 })
  })
  after(async () => {
    await app.close()
    await services.close()
    await hook.close()
    await refused.close()
    rmSync(folder, { recursive: true, force: true })
    assert.ok(statuses.every((s) => s < 500), `a request answered ${statuses.filter((s) => s >= 500).join(', ')}`)
  })

  it('should refuse bad monitor specs with 400 naming the field', async () => {
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^conditions: must be a list/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), conditions: undefined })
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^conditions\[0\]\.threshold: must be a number from 0 to 1/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), conditions: [{ type: 'drift_share', threshold: 'high' }] })
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^schedule: 'every minute' is not a cron schedule/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), schedule: 'every minute' })
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^window: '1 hour' is not a duration/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), window: '1 hour' })
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^notifications\.webhooks\[0\]\.url/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), notifications: { webhooks: [{ url: 'not a url' }] } })
    assert.equal((await call('POST', `${API}/monitors`, [1])).status, 400)
    await expectError(400, 'BAD_REQUEST', /JSON/i, 'POST', `${API}/monitors`, '{"name": ')
    await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /No deployment named 'nope'/, 'POST', `${API}/monitors`, { ...spec('m', hook.url), deployment: 'nope' })
  })

  it('should create, list and show a monitor, and refuse a taken name', async () => {
    const created = await call('POST', `${API}/monitors`, spec('churn-drift', hook.url))
    assert.equal(created.status, 200, JSON.stringify(created.body))
    assert.equal(created.body.monitor.name, 'churn-drift')
    assert.deepEqual(created.body.monitor.schedule, { every: '1h' })
    assert.ok(created.body.monitor.next_run_at > Date.now() + 3_000_000)
    await expectError(409, 'RESOURCE_ALREADY_EXISTS', /already exists/, 'POST', `${API}/monitors`, spec('churn-drift', hook.url))
    assert.deepEqual((await call('GET', `${API}/monitors?deployment=churn-api`)).body.monitors.map((m: any) => m.name), ['churn-drift'])
    assert.deepEqual((await call('GET', `${API}/monitors?deployment=other`)).body.monitors, [])
    const shown = await call('GET', `${API}/monitors/churn-drift`)
    assert.deepEqual([shown.body.monitor.id, shown.body.alerts, shown.body.runs], [created.body.monitor.id, [], []])
    await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /Monitor 'ghost'/, 'GET', `${API}/monitors/ghost`)
  })

  it('should update a monitor in place and refuse a bad spec or a taken name', async () => {
    const before = (await call('GET', `${API}/monitors/churn-drift`)).body.monitor
    const updated = await call('PUT', `${API}/monitors/churn-drift`, { ...spec('churn-drift', hook.url), schedule: { every: '2h' } })
    assert.equal(updated.status, 200, JSON.stringify(updated.body))
    assert.deepEqual([updated.body.monitor.id, updated.body.monitor.schedule], [before.id, { every: '2h' }])
    assert.ok(updated.body.monitor.next_run_at > Date.now() + 7_000_000)
    await call('PUT', `${API}/monitors/churn-drift`, spec('churn-drift', hook.url))
    await call('POST', `${API}/monitors`, spec('spare', hook.url))
    await expectError(409, 'RESOURCE_ALREADY_EXISTS', /'spare' already exists/, 'PUT', `${API}/monitors/churn-drift`, spec('spare', hook.url))
    await expectError(400, 'INVALID_PARAMETER_VALUE', /^window: '1 hour'/, 'PUT', `${API}/monitors/churn-drift`, { ...spec('churn-drift', hook.url), window: '1 hour' })
    await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /Monitor 'ghost'/, 'PUT', `${API}/monitors/ghost`, spec('ghost', hook.url))
    await call('DELETE', `${API}/monitors/spare`)
  })

  it('should run on demand without drift and fire nothing', async () => {
    await traffic(0, 100)
    const run = await call('POST', `${API}/monitors/churn-drift/run`)
    assert.equal(run.status, 200, JSON.stringify(run.body))
    const r = run.body.run.results
    assert.equal(run.body.run.outcome, 'ok')
    assert.deepEqual([r.requests, r.rows, r.errors, r.error_rate], [40, 400, 0, 0])
    assert.deepEqual(r.drift.features.map((f: any) => f.feature), ['a', 'b'])
    assert.equal(r.drift.features[0].method, 'psi')
    assert.equal(r.drift.dataset_drift, false)
    assert.ok(r.latency_p99_ms >= r.latency_p50_ms)
    assert.deepEqual((await call('GET', `${API}/alerts?state=firing`)).body.alerts, [])
  })

  it('should fire on drift, send the webhook with retries, and publish the event', async () => {
    await traffic(3, 200)
    const run = (await call('POST', `${API}/monitors/churn-drift/run`)).body.run
    assert.equal(run.results.drift.dataset_drift, true)
    assert.deepEqual(run.results.conditions.map((c: any) => [c.key, c.holds]), [['drift_share', true], ['feature_drift:a', true], ['no_traffic', false]])
    const firing = (await call('GET', `${API}/alerts?state=firing&deployment=churn-api`)).body.alerts
    assert.deepEqual(firing.map((a: any) => a.condition).sort(), ['drift_share', 'feature_drift:a'])
    const events = (await call('GET', `${API}/alerts/events?after=0`)).body
    assert.deepEqual(events.events.map((e: any) => [e.kind, e.seq]), [['fired', 1], ['fired', 2]])
    assert.equal(events.next_after, 2)
    assert.deepEqual(seen.map((e) => e.seq), [1, 2])
    await drainDeliveries(() => hook.received.filter((r) => r.status === 200).length >= 2)
    const ok = hook.received.filter((r) => r.status === 200)
    assert.equal(hook.received.length, 4, 'two failures, then both delivered')
    const payload = ok.find((r) => r.body.condition.key === 'drift_share')!
    assert.equal(payload.headers['x-token'], 'secret')
    assert.equal(payload.path, '/hook')
    assert.deepEqual([payload.body.state, payload.body.monitor.name, payload.body.deployment, payload.body.model, payload.body.value], ['firing', 'churn-drift', 'churn-api', 'churn', 1])
    assert.match(payload.body.alert.url, /\/api\/plinth\/v1\/alerts\/[0-9a-f-]{36}$/)
    const alertId = payload.body.alert.id
    assert.equal((await call('GET', `${API}/alerts/${alertId}`)).body.alert.state, 'firing')
  })

  it('should resolve when the drift stops, and number the resolution after the firing', async () => {
    await traffic(0, 300)
    await call('POST', `${API}/monitors/churn-drift/run`)
    const events = (await call('GET', `${API}/alerts/events?after=2`)).body.events
    assert.deepEqual(events.map((e: any) => [e.seq, e.kind]), [[3, 'resolved'], [4, 'resolved']])
    await drainDeliveries(() => hook.received.filter((r) => r.body.state === 'resolved' && r.status === 200).length >= 2)
    const resolved = hook.received.filter((r) => r.body.state === 'resolved')
    assert.equal(resolved.length, 2)
    assert.ok(resolved[0]!.body.resolved_at)
    assert.deepEqual((await call('GET', `${API}/alerts?state=firing`)).body.alerts, [])
    assert.equal((await call('GET', `${API}/alerts?state=resolved&monitor=churn-drift`)).body.alerts.length, 2)
  })

  it('should not retry a webhook the receiver refuses with a 4xx', async () => {
    await call('POST', `${API}/monitors`, { ...spec('refused', refused.url), conditions: [{ type: 'no_traffic', min_requests: 1000 }] })
    await call('POST', `${API}/monitors/refused/run`)
    await drainDeliveries(() => refused.received.length >= 1)
    for (let i = 0; i < 5; i++) await services.monitorScheduler.tick()
    assert.equal(refused.received.length, 1)
    const id = (await services.monitors.get('refused')).id
    const [delivery] = await services.monitors.store.listDeliveries(id, 5)
    assert.deepEqual([delivery!.status, delivery!.attempts, delivery!.lastError], ['failed', 1, 'HTTP 400'])
  })

  it('should answer 409 for a monitor already running elsewhere', async () => {
    const id = (await services.monitors.get('refused')).id
    await services.monitors.store.claim(id, Date.now(), 'another-replica', Date.now() + 60_000)
    await expectError(409, 'INVALID_STATE', /is running now/, 'POST', `${API}/monitors/refused/run`)
  })

  it('should serve a deployment\'s monitoring data and bad query values as 400', async () => {
    const data = (await call('GET', `${API}/deployments/churn-api/monitoring?start_time=0`)).body
    assert.deepEqual(data.runs.map((r: any) => r.monitor), ['churn-drift', 'churn-drift', 'churn-drift', 'refused'])
    assert.deepEqual(data.drift_over_time.a.filter((p: any) => p.monitor === 'churn-drift').map((p: any) => p.drift), [false, true, false])
    assert.equal(data.latest_drift.features.length, 2)
    assert.equal(data.alerts.history.length, 5)
    // Performance comes from the performance service; since the epoch it is shown in whole days, a bounded number of points.
    const performance = data.performance_over_time
    assert.equal(performance.window_ms % 86_400_000, 0)
    assert.ok(performance.windows.length <= 400 && performance.windows.length > 0)
    const logged = logs.all.filter((l) => l.error === undefined).reduce((n, l) => n + l.rows, 0)
    assert.ok(logged > 0)
    assert.equal(performance.windows.reduce((n: number, w: any) => n + w.predictions, 0), logged)
    await expectError(400, 'INVALID_PARAMETER_VALUE', /end_time/, 'GET', `${API}/deployments/churn-api/monitoring?start_time=10&end_time=5`)
    await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /No deployment named 'churn-apii'/, 'GET', `${API}/deployments/churn-apii/monitoring`)
    await expectError(400, 'INVALID_PARAMETER_VALUE', /start_time/, 'GET', `${API}/deployments/churn-api/monitoring?start_time=yesterday`)
    await expectError(400, 'INVALID_PARAMETER_VALUE', /state: 'burning'/, 'GET', `${API}/alerts?state=burning`)
    await expectError(400, 'INVALID_PARAMETER_VALUE', /after/, 'GET', `${API}/alerts/events?after=-1`)
  })

  it('should export the latest run as gauges on /metrics', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    assert.match(text, /plinth_drift_score\{deployment="churn-api",model="churn",feature="a",method="psi"\} [0-9.e-]+/)
    assert.match(text, /plinth_drift_detected\{deployment="churn-api",model="churn",feature="a",method="psi"\} 0/)
    assert.match(text, /plinth_drifted_features_ratio\{deployment="churn-api",model="churn"\} 0/)
    assert.match(text, /plinth_alerts_firing\{monitor="churn-drift",condition="drift_share",deployment="churn-api"\} 0/)
    assert.match(text, /plinth_alerts_firing\{monitor="refused",condition="no_traffic",deployment="churn-api"\} 1/)
    assert.match(text, /plinth_monitor_runs_total\{monitor="churn-drift",outcome="ok"\} 3/)
    assert.match(text, /plinth_monitor_last_run_timestamp_seconds\{monitor="churn-drift"\} \d+/)
  })

  it('should delete a monitor', async () => {
    assert.equal((await call('DELETE', `${API}/monitors/churn-drift`)).status, 200)
    await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /churn-drift/, 'DELETE', `${API}/monitors/churn-drift`)
  })
})
