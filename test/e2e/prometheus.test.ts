import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { freePort, makeTempDir, removeTempDir, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'
import { installed, pollQuery, PROMETHEUS_SKIP, startPrometheus, type PrometheusProcess } from './prometheus-process.test-helper.js'

/**
 * The shipped Prometheus files, checked by the real `promtool` and loaded by a real `prometheus`
 * scraping a real `plinth server`: a renamed metric or a broken rule fails here, not in production.
 */
const DEPLOY = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url))
const RULES = join(DEPLOY, 'plinth-rules.yml')
const PROMTOOL_SKIP = installed('promtool') ? undefined : 'promtool is not installed (apt-get install prometheus)'

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args)
    return stdout + stderr
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`)
  }
}

describe('Prometheus files checked by promtool', { skip: PROMTOOL_SKIP }, () => {
  it('should pass promtool check rules and check config', async () => {
    assert.match(await promtool('check', 'rules', RULES), /SUCCESS: \d+ rules found/)
    assert.match(await promtool('check', 'config', join(DEPLOY, 'prometheus.yml')), /is valid prometheus config file/)
  })

  it('should fire the alerts the rule unit tests expect from synthetic series', async () => {
    assert.match(await promtool('test', 'rules', join(DEPLOY, 'plinth-rules.test.yml')), /SUCCESS/)
  })
})

describe('Prometheus scraping a plinth server', { skip: PROMETHEUS_SKIP }, () => {
  let dir: string
  let server: PlinthServer | undefined
  let prometheus: PrometheusProcess | undefined

  before(async () => {
    dir = await makeTempDir('prometheus')
    const store = sqliteUri(join(dir, 'plinth.db'))
    server = await startServer(['--port', '0', '--log-level', 'warn', '--backend-store-uri', store, '--artifacts-destination', join(dir, 'artifacts')])
    // Sent before Prometheus starts, so its first scrape already holds the final count.
    for (let i = 0; i < 5; i++) {
      const response: Response = await fetch(`${server.url}/version`)
      await response.arrayBuffer()
      assert.equal(response.status, 200)
    }
    prometheus = startPrometheus(dir, await freePort(), new URL(server.url).host, [RULES])
  })
  after(async () => {
    await prometheus?.stop()
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should store the server\'s plinth_http_requests_total as Prometheus scrapes it', async () => {
    const samples = await pollQuery(prometheus!, 'plinth_http_requests_total{job="plinth", route="/version"}')
    assert.equal(samples.length, 1, JSON.stringify(samples))
    assert.deepEqual(
      { method: samples[0]!.metric.method, status: samples[0]!.metric.status, value: Number(samples[0]!.value[1]) },
      { method: 'GET', status: '200', value: 5 },
    )
    const up = await pollQuery(prometheus!, 'up{job="plinth"}')
    assert.equal(Number(up[0]!.value[1]), 1)
  })

  it('should evaluate the shipped recording rules against the real metric names', async () => {
    // A rate needs two scrapes, so this also waits for the second one.
    const samples = await pollQuery(prometheus!, 'plinth:http_requests:rate5m{route="/version"}')
    assert.equal(samples[0]!.metric.method, 'GET')
    assert.ok(Number.isFinite(Number(samples[0]!.value[1])), JSON.stringify(samples))
    const response = await fetch(`${prometheus!.url}/api/v1/rules`)
    const rules = (await response.json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } }
    const unhealthy = rules.data.groups.flatMap((g) => g.rules).filter((r) => r.health === 'err')
    assert.deepEqual(unhealthy, [])
    const groups = rules.data.groups.map((g) => g.name)
    for (const name of ['plinth-alerts', 'plinth-cost', 'plinth-monitoring', 'plinth-recording']) assert.ok(groups.includes(name), `${name} not loaded: ${groups.join(', ')}`)
  })
})
