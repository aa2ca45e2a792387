import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Runs the `plinth` CLI from source in child processes, as a user would run the built binary:
 * its own event loop, its own database connection, killable with any signal.
 */
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
// Resolved here rather than by name in the child: a child whose cwd is a temp folder cannot find tsx.
const TSX = import.meta.resolve('tsx')

/** A loaded 2-core machine may need tens of seconds to compile and start the CLI. */
const START_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 20_000

const live = new Set<ChildProcess>()
// A failed assertion can skip an after hook's stop; no server may outlive the test file.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export interface ProcessOptions {
  cwd?: string
  env?: Record<string, string>
}

/** The caller's environment without PLINTH_* and MLFLOW_*, so a developer's settings do not leak in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PLINTH_') && !key.startsWith('MLFLOW_')) env[key] = value
  }
  return { ...env, ...extra }
}

function spawnPlinth(args: string[], options: ProcessOptions): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs one CLI command to completion. */
export function runCli(args: string[], options: ProcessOptions = {}): Promise<CliResult> {
  const child = spawnPlinth(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`plinth ${args.join(' ')} did not finish in ${START_TIMEOUT_MS} ms\n${stdout}${stderr}`))
    }, START_TIMEOUT_MS)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface PlinthServer {
  /** Base URL as the server announced it (the real port when started with `--port 0`). */
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /** SIGTERM, then SIGKILL if it has not exited in time; resolves once it has exited. */
  stop(): Promise<void>
  /** SIGKILL: no shutdown hooks, no flush, as when the machine's OOM killer strikes. */
  kill(): Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Starts `plinth server ...args` and resolves once it prints the address it listens on. */
export async function startServer(args: string[], options: ProcessOptions = {}): Promise<PlinthServer> {
  const child = spawnPlinth(['server', ...args], options)
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`plinth server did not start in ${START_TIMEOUT_MS} ms:\n${output}`))
    }, START_TIMEOUT_MS)
    let listening = false
    // Kept attached after start: an unread pipe would fill up and block the server's writes.
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      // One process announces "listening on <url>"; with --workers the primary "N workers on <url>".
      const match = listening ? null : /(?:listening|workers) on (http:\/\/\S+)/.exec(output)
      if (match) {
        listening = true
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`plinth server exited (${code ?? signal}) before listening:\n${output}`))
    })
  })
  try {
    // A --workers primary announces before its workers listen.
    await waitForHealth(url, child)
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`${(error as Error).message}:\n${output}`)
  }
  const signal = async (name: NodeJS.Signals) => {
    const done = exited(child)
    child.kill(name)
    await done
  }
  return {
    url,
    child,
    output: () => output,
    kill: () => signal('SIGKILL'),
    async stop() {
      const done = exited(child)
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await done
      clearTimeout(timer)
    },
  }
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('plinth server exited before answering /health')
    try {
      const response = await fetch(`${url}/health`)
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`plinth server did not answer /health in ${START_TIMEOUT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * A port nothing listens on right now, for servers that cannot take `--port 0` (cluster workers
 * must agree on one port). Another process could take it before the server binds; unlikely.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** A fresh folder under the OS temp dir; remove it with `removeTempDir`. */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `plinth-e2e-${label}-`))
}

export function removeTempDir(dir: string | undefined): Promise<void> {
  return dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve()
}

/** `sqlite:///` followed by an absolute path, which gives MLflow's four-slash form. */
export function sqliteUri(path: string): string {
  return `sqlite:///${path}`
}

export interface JsonResponse {
  status: number
  body: any
}

/** One JSON request to a running server; the body is parsed when it is JSON, kept as text otherwise. */
export async function requestJson(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) }
  } catch {
    return { status: response.status, body: text }
  }
}

/** Like `requestJson`, but a status other than 200 fails with the server's answer in the message. */
export async function okJson(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const response = await requestJson(base, method, path, body, headers)
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`)
  return response.body
}

export interface MetricPoint {
  key: string
  value: number
  timestamp: number
  step: number
}

/** Reads a metric's whole history through MLflow's paged get-history. */
export async function metricHistory(base: string, runId: string, key: string, pageSize = 1000): Promise<MetricPoint[]> {
  const points: MetricPoint[] = []
  let token: string | undefined
  do {
    const query = new URLSearchParams({ run_id: runId, metric_key: key, max_results: String(pageSize) })
    if (token) query.set('page_token', token)
    const page = await okJson(base, 'GET', `/api/2.0/mlflow/metrics/get-history?${query}`)
    points.push(...((page.metrics ?? []) as MetricPoint[]))
    token = page.next_page_token || undefined
  } while (token)
  return points
}

/** A stable identity for a point, for set comparisons that ignore order. */
export function pointId(p: MetricPoint): string {
  return `${p.key}|${p.step}|${p.timestamp}|${p.value}`
}
