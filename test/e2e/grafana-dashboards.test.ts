import assert from 'node:assert/strict'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { call, createTestApp } from '../../src/testing/test-services.js'
import { freePort, makeTempDir, okJson, removeTempDir, requestJson, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'
import { pollQuery, PROMETHEUS_SKIP, query, startPrometheus, type PrometheusProcess } from './prometheus-process.test-helper.js'

/**
 * The shipped Grafana dashboards: well-formed, wired to the provisioned datasource, using only
 * metric names Plinth exports, and with every query accepted by a real Prometheus scraping a real
 * Plinth, so a typo in a panel fails here rather than as an empty chart in production.
 */
const GRAFANA = fileURLToPath(new URL('../../deploy/grafana/', import.meta.url))
const RULES = fileURLToPath(new URL('../../deploy/prometheus/plinth-rules.yml', import.meta.url))

/**
 * Metrics the monitoring work defines that a bare Plinth may not export yet: prediction logs and
 * feedback (each appears once its feature is wired in). Monitor gauges are always registered.
 */
const PLANNED_METRICS = new Set([
  'plinth_prediction_logs_total',
  'plinth_prediction_log_buffer_records',
  'plinth_prediction_log_stream_total',
  'plinth_feedback_total',
])

/** Grafana's variables as the test sets them: every "All" is the regex `.*`. */
const VARIABLES: Record<string, string> = {
  job: 'plinth',
  deployment: '.*',
  model: '.*',
  metric: '.*',
  feature: '.*',
  __rate_interval: '30s',
  __interval: '15s',
  __range: '5m',
}

interface Target {
  refId: string
  expr: string
  datasource?: { type: string; uid: string }
}

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { x: number; y: number; w: number; h: number }
  datasource?: { type: string; uid: string }
  targets?: Target[]
  panels?: Panel[]
}

interface Dashboard {
  uid: string
  title: string
  schemaVersion: number
  panels: Panel[]
  templating: { list: { name: string; type: string; datasource?: { uid: string }; query: { query: string } | string }[] }
}

const dashboardFiles = readdirSync(join(GRAFANA, 'dashboards')).filter((f) => f.endsWith('.json')).sort()
const dashboards = dashboardFiles.map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(GRAFANA, 'dashboards', file), 'utf8')) as Dashboard }))

function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

/** Every PromQL query of a dashboard, with where it is, panels' and variables' both. */
function queriesOf(dashboard: Dashboard): { where: string; expr: string }[] {
  const queries: { where: string; expr: string }[] = []
  for (const panel of panelsOf(dashboard)) for (const t of panel.targets ?? []) queries.push({ where: `${dashboard.uid} panel ${panel.id} "${panel.title}" ${t.refId}`, expr: t.expr })
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') continue
    const text = typeof v.query === 'string' ? v.query : v.query.query
    // label_values(<selector>, <label>) asks for the selector's series; the selector is PromQL.
    const match = /^label_values\((.+),\s*([a-zA-Z_]\w*)\)$/.exec(text)
    assert.ok(match, `${dashboard.uid} variable ${v.name}: only label_values(selector, label) is used, got ${text}`)
    queries.push({ where: `${dashboard.uid} variable $${v.name}`, expr: match[1]! })
  }
  return queries
}

function substitute(expr: string): string {
  const done = expr.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => VARIABLES[(a ?? b)!] ?? whole)
  assert.ok(!done.includes('$'), `a variable the test does not know in: ${expr}`)
  return done
}

/** Histogram series names resolve to their metric. */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\bplinth_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))
}

describe('Grafana provisioning and dashboards', () => {
  const datasources = parseYaml(readFileSync(join(GRAFANA, 'provisioning/datasources/plinth-prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] }
  const provider = parseYaml(readFileSync(join(GRAFANA, 'provisioning/dashboards/plinth.yml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] }
  const uid = datasources.datasources[0]!.uid

  it('should provision one Prometheus datasource and a file provider', () => {
    assert.deepEqual(datasources.datasources.map((d) => [d.uid, d.type]), [['plinth-prometheus', 'prometheus']])
    assert.equal(provider.providers[0]!.type, 'file')
    assert.ok(provider.providers[0]!.options.path.length > 0)
  })

  it('should ship the serving, model quality and drift dashboards with unique uids', () => {
    assert.deepEqual(dashboards.map((d) => d.dashboard.uid).sort(), ['plinth-drift', 'plinth-model-quality', 'plinth-serving'])
  })

  for (const { file, dashboard } of dashboards) {
    it(`should give ${file} a title, unique panel ids, grid positions and the provisioned datasource`, () => {
      assert.ok(dashboard.title.startsWith('Plinth / '), dashboard.title)
      assert.ok(dashboard.schemaVersion >= 36)
      const panels = panelsOf(dashboard)
      const ids = panels.map((p) => p.id)
      assert.equal(new Set(ids).size, ids.length, `duplicate panel ids in ${file}: ${ids.join(',')}`)
      for (const p of panels) {
        const g = p.gridPos
        assert.ok([g.x, g.y, g.w, g.h].every(Number.isInteger) && g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${file} panel ${p.id} gridPos ${JSON.stringify(g)}`)
        if (p.type === 'row' || p.type === 'text') continue
        assert.equal(p.datasource?.uid, uid, `${file} panel ${p.id} datasource`)
        assert.ok((p.targets ?? []).length > 0, `${file} panel ${p.id} has no query`)
        for (const t of p.targets!) assert.equal(t.datasource?.uid ?? uid, uid, `${file} panel ${p.id} ${t.refId} datasource`)
      }
      for (const v of dashboard.templating.list) if (v.type === 'query') assert.equal(v.datasource?.uid, uid, `${file} variable ${v.name}`)
      const variables = new Set(dashboard.templating.list.map((v) => v.name))
      for (const name of ['job', 'deployment', 'model']) assert.ok(variables.has(name), `${file} lacks the $${name} variable`)
    })
  }

  it('should use only metrics Plinth exports or the monitoring work defines', async () => {
    const t = await createTestApp()
    let exported: Set<string>
    try {
      const text = (await call(t.app, 'GET', '/metrics')).body as string
      exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!))
    } finally {
      await t.close()
    }
    for (const name of ['plinth_model_cpu_seconds_total', 'plinth_model_memory_bytes', 'plinth_cost_per_1000_predictions']) assert.ok(exported.has(name), name)
    const unknown = dashboards.flatMap(({ dashboard }) => queriesOf(dashboard).flatMap((q) => metricNamesIn(q.expr).filter((n) => !exported.has(n) && !PLANNED_METRICS.has(n)).map((n) => `${q.where}: ${n}`)))
    assert.deepEqual(unknown, [])
  })
})

describe('Grafana dashboard queries run by a real Prometheus', { skip: PROMETHEUS_SKIP }, () => {
  let dir: string
  let server: PlinthServer | undefined
  let prometheus: PrometheusProcess | undefined

  before(async () => {
    dir = await makeTempDir('grafana')
    server = await startServer([
      '--port', '0', '--log-level', 'warn', '--price-per-core-hour', '0.05',
      '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), '--artifacts-destination', join(dir, 'artifacts'),
    ])
    writeFileSync(join(dir, 'sigmoid.onnx'), unaryModel('Sigmoid'))
    await okJson(server.url, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'churn' })
    await okJson(server.url, 'POST', '/api/2.0/mlflow/model-versions/create', { name: 'churn', source: join(dir, 'sigmoid.onnx') })
    await okJson(server.url, 'POST', '/api/plinth/v1/deployments', { name: 'churn-prod', routes: [{ model: 'churn', version: '1', weight: 100 }] })
    prometheus = startPrometheus(dir, await freePort(), new URL(server.url).host, [RULES])
  })
  after(async () => {
    await prometheus?.stop()
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should accept every panel\'s and variable\'s query', { timeout: 120_000 }, async () => {
    await pollQuery(prometheus!, 'up{job="plinth"} == 1')
    const failures: string[] = []
    for (const { dashboard } of dashboards) {
      for (const q of queriesOf(dashboard)) {
        const answer = await query(prometheus!, substitute(q.expr))
        if (answer.status !== 'success') failures.push(`${q.where}: ${answer.error ?? answer.text}\n  ${substitute(q.expr)}`)
      }
    }
    assert.deepEqual(failures, [])
  })

  it('should chart inference traffic and its cost from the scraped server', { timeout: 120_000 }, async () => {
    const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, -1, -2, -3, -4] }] }
    const serving = dashboards.find((d) => d.dashboard.uid === 'plinth-serving')!.dashboard
    const expr = (title: string) => substitute(panelsOf(serving).find((p) => p.title === title)!.targets![0]!.expr)
    // Traffic for a few seconds, so rates over the 30 s window exist while the panels are queried.
    let stop = false
    const traffic = (async () => {
      while (!stop) {
        const response = await requestJson(server!.url, 'POST', '/v2/models/churn-prod/infer', body)
        assert.equal(response.status, 200, JSON.stringify(response.body))
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    try {
      const rate = await pollQuery(prometheus!, expr('Inference requests per second'))
      assert.deepEqual([rate[0]!.metric.model, rate[0]!.metric.deployment], ['churn', 'churn-prod'])
      const cost = await pollQuery(prometheus!, expr('Cost per 1,000 predictions'))
      assert.equal(cost[0]!.metric.version, '1')
      assert.ok(Number(cost[0]!.value[1]) > 0, JSON.stringify(cost))
      const memory = await pollQuery(prometheus!, expr('Model memory'))
      assert.ok(Number(memory[0]!.value[1]) > 0)
    } finally {
      stop = true
      await traffic
    }
  })
})
