import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * `plinth worker` as a real child process (from source, through tsx), for the kill -9 tests and the
 * fan-out bench: its own event loop and Redis connections, killable with any signal. It runs with
 * --json, so what it did is read back as events.
 */

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
// Resolved here: a child whose cwd is elsewhere could not find tsx by name.
const TSX = import.meta.resolve('tsx')

export type WorkerLogEvent = { readonly type: string; readonly [key: string]: unknown }

export interface WorkerProcess {
  readonly child: ChildProcess
  /** host:pid the worker reports in results. */
  readonly identity: string
  readonly events: readonly WorkerLogEvent[]
  readonly exited: Promise<number | null>
  waitFor(test: (event: WorkerLogEvent) => boolean, what: string, timeoutMs?: number): Promise<WorkerLogEvent>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export async function startWorkerProcess(args: readonly string[], startTimeoutMs = 120_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (live.delete(child), resolve(code))))
  const events: WorkerLogEvent[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  let partial = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop()!
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as WorkerLogEvent)
    for (const wake of waiters) wake()
  })
  const waitFor = (test: (event: WorkerLogEvent) => boolean, what: string, timeoutMs = 60_000) =>
    new Promise<WorkerLogEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(test)
        if (found) return done(() => resolve(found))
        if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`worker exited before ${what}\n${stderr}`)))
      }
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}\n${stderr}`))), timeoutMs)
      const done = (settle: () => void) => (clearTimeout(timer), waiters.delete(check), settle())
      waiters.add(check)
      child.once('exit', check)
      check()
    })
  const ready = await waitFor((e) => e.type === 'ready', 'the worker to be ready', startTimeoutMs)
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    return exited
  }
  return { child, identity: String(ready.worker), events, exited, waitFor, stop }
}
