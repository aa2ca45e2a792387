import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A real `prometheus` (Debian's package) for end-to-end tests that scrape a running Plinth. */
const QUERY_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

export function installed(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined
}

export const PROMETHEUS_SKIP = installed('prometheus') ? undefined : 'prometheus is not installed (apt-get install prometheus)'

export interface PrometheusProcess {
  readonly url: string
  output(): string
  stop(): Promise<void>
}

/** Starts prometheus scraping `target` (host:port) as job `plinth`, with `rules` loaded. */
export function startPrometheus(dir: string, port: number, target: string, rules: string[]): PrometheusProcess {
  const config = join(dir, 'prometheus.yml')
  // Scraping and evaluating every second lets rates exist within a few seconds of start.
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${rules.map((r) => JSON.stringify(r)).join(', ')}]`,
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

export interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

export interface QueryAnswer {
  /** HTTP status; Prometheus answers 503 until it is ready. */
  httpStatus: number
  status?: string
  error?: string
  result: Sample[]
  text: string
}

/** One instant query through Prometheus's HTTP API. */
export async function query(prometheus: PrometheusProcess, expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${prometheus.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: expr }),
  })
  const text = await response.text()
  try {
    const body = JSON.parse(text) as { status: string; error?: string; data?: { result: Sample[] } }
    return { httpStatus: response.status, status: body.status, ...(body.error ? { error: body.error } : {}), result: body.data?.result ?? [], text }
  } catch {
    return { httpStatus: response.status, result: [], text }
  }
}

/** Polls an instant query until it returns at least one sample. */
export async function pollQuery(prometheus: PrometheusProcess, expr: string, timeoutMs = QUERY_TIMEOUT_MS): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const answer = await query(prometheus, expr)
      last = answer.text
      if (answer.status === 'success' && answer.result.length > 0) return answer.result
    } catch (error) {
      last = String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${expr} returned nothing in ${timeoutMs} ms; last answer: ${last}\n${prometheus.output()}`)
}
