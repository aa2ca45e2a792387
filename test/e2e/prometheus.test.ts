import assert from 'node:assert/strict'
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { freePort, makeTempDir, removeTempDir, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

/**
 * The shipped Prometheus files, checked by the real `promtool` and loaded by a real `prometheus`
 * scraping a real `plinth server`: a renamed metric or a broken rule fails here, not in production.
 */
const DEPLOY = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url))
const RULES = join(DEPLOY, 'plinth-rules.yml')
const QUERY_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined
}

const PROMTOOL_SKIP = installed('promtool') ? undefined : 'promtool is not installed (apt-get install prometheus)'
const PROMETHEUS_SKIP = installed('prometheus') ? undefined : 'prometheus is not installed (apt-get install prometheus)'

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

interface PrometheusProcess {
  readonly url: string
  output(): string
  stop(): Promise<void>
}

function startPrometheus(dir: string, port: number, target: string): PrometheusProcess {
  const config = join(dir, 'prometheus.yml')
  // Scraping and evaluating every second lets rates exist within a few seconds of start.
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      `  - { job_name: plinth, static_configs: [{ targets: [${JSON.stringify(target)}] }] }`,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(
    'prometheus',
    ['--config.file', config, '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  // A failed assertion can skip the after hook; prometheus must not outlive the test file.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      process.removeListener('exit', killOnExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      const done = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await done
      clearTimeout(timer)
    },
  }
}

interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

/** Polls an instant query until it returns at least one sample; Prometheus answers 503 until ready. */
async function pollQuery(prometheus: PrometheusProcess, query: string): Promise<Sample[]> {
  const deadline = Date.now() + QUERY_TIMEOUT_MS
  let last = ''
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query })}`)
      last = await response.text()
      if (response.status === 200) {
        const body = JSON.parse(last) as { status: string; data: { result: Sample[] } }
        if (body.status === 'success' && body.data.result.length > 0) return body.data.result
      }
    } catch (error) {
      last = String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${query} returned nothing in ${QUERY_TIMEOUT_MS} ms; last answer: ${last}\n${prometheus.output()}`)
}

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
    prometheus = startPrometheus(dir, await freePort(), new URL(server.url).host)
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
    assert.deepEqual(rules.data.groups.map((g) => g.name).sort(), ['plinth-alerts', 'plinth-monitoring', 'plinth-recording'])
  })
})
