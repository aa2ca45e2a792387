import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { resolveConfig } from '../../src/config/index.js'
import { startServer, type RunningServer } from '../../src/http/start-server.js'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import type { LoggedColumns, PredictionLog } from '../../src/monitoring/prediction-log-store.js'
import { MemoryPredictionLogStore } from '../../src/testing/memory-prediction-log-store.js'
import { startReceiver, toCsv } from '../../src/monitoring/monitors/monitor-fixtures.test-helper.js'
import { seededRandom } from '../../src/testing/seeded-random.js'
import { freePort, makeTempDir, okJson, removeTempDir, requestJson, runCli, sqliteUri } from './plinth-process.test-helper.js'

/**
 * A monitor end to end: a deployed ONNX model, a monitor created with the CLI from YAML, logged
 * traffic that drifts and then recovers, the scheduler firing and resolving the alert by itself,
 * a webhook receiver that fails the first tries, and a real Alertmanager receiving the alert.
 *
 * The server runs in this process (the same `startServer` as `plinth server`), because the logged
 * traffic is written through the prediction-log port into an in-memory store it is given; the CLI
 * runs as child processes on the same SQLite file.
 */
const API = '/api/plinth/v1'
const WAIT_MS = 60_000
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager'
const AM_SKIP = spawnSync(ALERTMANAGER, ['--version'], { stdio: 'ignore' }).error === undefined ? undefined : `${ALERTMANAGER} is not installed (apt-get install prometheus-alertmanager)`

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

function startAlertmanager(dir: string, port: number, webhook: string): { url: string; stop(): Promise<void> } {
  const config = join(dir, 'alertmanager.yml')
  writeFileSync(
    config,
    [
      'route: { receiver: hook, group_by: [alertname, monitor], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
      `receivers: [{ name: hook, webhook_configs: [{ url: ${JSON.stringify(webhook)}, send_resolved: true }] }]`,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(ALERTMANAGER, ['--config.file', config, '--storage.path', join(dir, 'am-data'), '--web.listen-address', `127.0.0.1:${port}`, '--cluster.listen-address', ''], { stdio: 'ignore' })
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', kill)
      if (child.exitCode !== null) return
      const done = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await done
    },
  }
}

/** Requests of 10 rows of a 4-wide tensor `x` (columns x[0]..x[3]), as the serving logger flattens them. */
function traffic(shift: number, seed: number, count: number): PredictionLog[] {
  const random = seededRandom(seed)
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => {
    const columns: LoggedColumns = {}
    for (let k = 0; k < 4; k++) columns[`x[${k}]`] = Array.from({ length: 10 }, () => shift + random() * 2)
    const outputs: LoggedColumns = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k.replace('x', 'y'), v]))
    return { predictionId: `${seed}-${i}`, model: 'churn', version: '1', deployment: 'churn-api', time: now - 60_000 + i, rows: 10, inputs: columns, outputs, latencyMs: 3 }
  })
}

describe('monitor alerts end to end', { skip: AM_SKIP }, () => {
  let dir: string
  let server: RunningServer | undefined
  let alertmanager: ReturnType<typeof startAlertmanager> | undefined
  let hook: Awaited<ReturnType<typeof startReceiver>>
  let amHook: Awaited<ReturnType<typeof startReceiver>>
  let store: string
  const logs = new MemoryPredictionLogStore()
  const cli = (...args: string[]) => runCli([...args, '--backend-store-uri', store], { cwd: dir })

  before(async () => {
    dir = await makeTempDir('monitors')
    store = sqliteUri(join(dir, 'plinth.db'))
    hook = await startReceiver({ failFirst: 2, failStatus: 503 })
    amHook = await startReceiver()
    alertmanager = startAlertmanager(dir, await freePort(), `${amHook.url}/am`)
    const config = resolveConfig({ port: 0, backendStoreUri: store, artifactsDestination: join(dir, 'artifacts') }, {})
    server = await startServer(config, false, { monitoring: { predictionLogs: logs, pollMs: 250, retryPolicy: { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 1000 } } })
    writeFileSync(join(dir, 'identity.onnx'), unaryModel('Identity'))
    await okJson(server.url, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'churn' })
    await okJson(server.url, 'POST', '/api/2.0/mlflow/model-versions/create', { name: 'churn', source: join(dir, 'identity.onnx') })
    await okJson(server.url, 'POST', '/api/2.0/mlflow/registered-models/alias', { name: 'churn', alias: 'champion', version: '1' })
    await okJson(server.url, 'POST', `${API}/deployments`, { name: 'churn-api', routes: [{ model: 'churn', alias: 'champion', weight: 100 }] })
    const reference: LoggedColumns = {}
    const random = seededRandom(7)
    for (let k = 0; k < 4; k++) reference[`x[${k}]`] = Array.from({ length: 500 }, () => random() * 2)
    writeFileSync(join(dir, 'reference.csv'), toCsv(reference))
    await alertmanagerReady()
  })
  after(async () => {
    await server?.close()
    await alertmanager?.stop()
    await hook?.close()
    await amHook?.close()
    await removeTempDir(dir)
  })

  async function alertmanagerReady(): Promise<void> {
    await until('Alertmanager to be ready', async () => {
      const response = await fetch(`${alertmanager!.url}/-/ready`).catch(() => undefined)
      return response?.status === 200 ? true : undefined
    })
  }

  it('should serve the deployment', async () => {
    const response = await requestJson(server!.url, 'POST', '/v2/models/churn-api/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] })
    assert.equal(response.status, 200, JSON.stringify(response.body))
  })

  it('should refuse a YAML spec with the line of the bad field', async () => {
    writeFileSync(join(dir, 'bad.yaml'), ['name: bad', 'deployment: churn-api', 'schedule: { every: 1s }', 'window: 1h', 'conditions:', '  - type: drift_share', '    threshold: lots', ''].join('\n'))
    const result = await cli('monitors', 'create', '-f', join(dir, 'bad.yaml'))
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /bad\.yaml:7:16: conditions\[0\]\.threshold: must be a number/)
  })

  it('should fire after two drifted runs, deliver the webhook through failures, and reach Alertmanager', async () => {
    writeFileSync(
      join(dir, 'monitor.yaml'),
      [
        'name: churn-drift',
        'deployment: churn-api',
        'schedule: { every: 1s }',
        'window: 1h',
        `reference: { start: ${Date.now() - 3_600_000}, end: ${Date.now() - 1_800_000} }`,
        'conditions:',
        '  - { type: drift_share, threshold: 0.5, for: 2, severity: critical }',
        '  - { type: no_traffic, min_requests: 1 }',
        'notifications:',
        `  webhooks: [{ url: "${hook.url}/hook", headers: { X-Token: s3cret } }]`,
        `  alertmanager: { url: "${alertmanager!.url}" }`,
        '',
      ].join('\n'),
    )
    // The reference window: logs from 40 minutes ago, undrifted.
    const referenceLogs = traffic(0, 1, 50).map((l) => ({ ...l, time: Date.now() - 2_400_000 + Number(l.predictionId.split('-')[1]) }))
    await logs.appendBatch(referenceLogs)
    await logs.appendBatch(traffic(5, 2, 50))
    const created = await cli('monitors', 'create', '-f', join(dir, 'monitor.yaml'), '--json')
    assert.equal(created.code, 0, created.stderr)
    assert.equal(JSON.parse(created.stdout).name, 'churn-drift')

    const firing = await until('the alert to fire', async () => {
      const alerts = (await okJson(server!.url, 'GET', `${API}/alerts?state=firing&deployment=churn-api`)).alerts
      return alerts.length > 0 ? alerts : undefined
    })
    assert.deepEqual(firing.map((a: any) => [a.condition, a.severity]), [['drift_share', 'critical']])
    const runs = (await okJson(server!.url, 'GET', `${API}/monitors/churn-drift/runs`)).runs
    assert.ok(runs.length >= 2, 'for: 2 needs two runs')
    assert.equal(runs[0].results.drift.dataset_drift, true)

    const delivered = await until('the webhook', async () => hook.received.find((r) => r.status === 200 && r.body.state === 'firing'))
    assert.ok(hook.received.filter((r) => r.status === 503).length === 2, 'the first two tries failed and were retried')
    assert.equal(delivered.headers['x-token'], 's3cret')
    assert.deepEqual([delivered.body.monitor.name, delivered.body.deployment, delivered.body.condition.key, delivered.body.value], ['churn-drift', 'churn-api', 'drift_share', 1])
    assert.ok(delivered.body.alert.url.startsWith(server!.url))
    assert.equal((await requestJson(server!.url, 'GET', new URL(delivered.body.alert.url).pathname)).body.alert.state, 'firing')

    const inAlertmanager = await until('the alert in Alertmanager', async () => {
      const alerts = (await (await fetch(`${alertmanager!.url}/api/v2/alerts?filter=${encodeURIComponent('monitor="churn-drift"')}`)).json()) as any[]
      return alerts.find((a) => a.status.state === 'active')
    })
    assert.deepEqual(
      [inAlertmanager.labels.alertname, inAlertmanager.labels.deployment, inAlertmanager.labels.condition, inAlertmanager.labels.severity],
      ['PlinthMonitorDriftShare', 'churn-api', 'drift_share', 'critical'],
    )
    const forwarded = await until('Alertmanager to notify its receiver', async () => amHook.received.find((r) => r.body.status === 'firing'))
    assert.equal(forwarded.body.alerts[0].labels.monitor, 'churn-drift')

    const metrics = await (await fetch(`${server!.url}/metrics`)).text()
    assert.match(metrics, /plinth_alerts_firing\{monitor="churn-drift",condition="drift_share",deployment="churn-api"\} 1/)
    assert.match(metrics, /plinth_dataset_drift\{deployment="churn-api",model="churn"\} 1/)
    assert.match(metrics, /plinth_drift_score\{deployment="churn-api",model="churn",feature="x\[0\]",method="[a-z_]+"\}/)
  })

  it('should resolve when the traffic looks like the reference again, everywhere', async () => {
    const cutoff = Date.now() - 1_800_000
    logs.remove((l) => l.time >= cutoff)
    await logs.appendBatch(traffic(0, 3, 50))
    await until('the alert to resolve', async () => {
      const alerts = (await okJson(server!.url, 'GET', `${API}/alerts?state=firing&deployment=churn-api`)).alerts
      return alerts.length === 0 ? true : undefined
    })
    const resolved = await until('the resolved webhook', async () => hook.received.find((r) => r.status === 200 && r.body.state === 'resolved'))
    assert.ok(resolved.body.resolved_at)
    await until('Alertmanager to resolve it', async () => amHook.received.find((r) => r.body.status === 'resolved'))
    const events = (await okJson(server!.url, 'GET', `${API}/alerts/events?after=0`)).events
    assert.deepEqual(events.map((e: any) => e.kind), ['fired', 'resolved'])
    const dashboard = await okJson(server!.url, 'GET', `${API}/deployments/churn-api/monitoring`)
    assert.ok(dashboard.drift_over_time['x[0]'].some((p: any) => p.drift) && dashboard.drift_over_time['x[0]'].some((p: any) => !p.drift))
    assert.equal(dashboard.alerts.history.length, 2)
  })

  it('should list, show and delete with the CLI', async () => {
    const alerts = await cli('alerts', 'list', '--json')
    assert.equal(alerts.code, 0, alerts.stderr)
    assert.deepEqual(JSON.parse(alerts.stdout).map((a: any) => [a.condition, a.state]), [['drift_share', 'resolved']])
    const list = await cli('monitors', 'list')
    assert.match(list.stdout, /churn-drift\s+churn-api\s+every 1s\s+1h\s+2\s+true/)
    const shown = JSON.parse((await cli('monitors', 'show', 'churn-drift', '--json')).stdout)
    assert.ok(shown.runs.length > 0)
    assert.equal((await cli('monitors', 'delete', 'churn-drift')).code, 0)
    const missing = await cli('monitors', 'show', 'churn-drift')
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /Monitor 'churn-drift' does not exist/)
  })
})
