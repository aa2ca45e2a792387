import { spawn, type ChildProcess } from 'node:child_process'
import type { StepOutcome, StepResult, StepTask } from '../../step-executor.js'
import type { AttemptRunner } from './queue-protocol.js'

/**
 * The attempt runner `plinth worker` uses: the step's command in its own process group with the
 * task's environment, working directory and timeout; cancel and timeout kill the whole group.
 * It reports the exit code and the tail of stderr only. Inputs, outputs, params, metrics and
 * logs are the shared step-process runner's job: when the executors are merged this body becomes
 * a call to it, and the worker keeps the same AttemptRunner shape.
 */

export interface DefaultStepRunnerOptions {
  /** Bytes of stderr kept for the error message. */
  readonly stderrTailBytes?: number
  /** Time between SIGTERM and SIGKILL to the process group when an attempt is stopped. */
  readonly killGraceMs?: number
}

export function createDefaultStepRunner(options: DefaultStepRunnerOptions = {}): AttemptRunner {
  const tailBytes = options.stderrTailBytes ?? 4096
  const killGraceMs = options.killGraceMs ?? 5_000
  return (task, signal) => runStep(task, signal, tailBytes, killGraceMs)
}

function runStep(task: StepTask, signal: AbortSignal, tailBytes: number, killGraceMs: number): Promise<StepResult> {
  const startedAt = Date.now()
  if (signal.aborted) return Promise.resolve(ended('cancelled', startedAt, { error: 'cancelled before it started' }))
  const [file, args] = 'shell' in task.command ? ['sh', ['-c', task.command.shell]] : [task.command.argv[0] ?? '', task.command.argv.slice(1)]
  const child = spawn(file, args, {
    cwd: task.workingDir,
    // The worker's own environment underneath, so PATH and the like resolve as in a shell there.
    env: { ...process.env, ...task.env },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const stderr = new TailBuffer(tailBytes)
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
  let stoppedAs: 'timed_out' | 'cancelled' | undefined
  const stop = (why: 'timed_out' | 'cancelled') => {
    stoppedAs ??= why
    killGroup(child, killGraceMs)
  }
  const onAbort = () => stop('cancelled')
  signal.addEventListener('abort', onAbort, { once: true })
  const timer = task.timeoutMs ? setTimeout(() => stop('timed_out'), task.timeoutMs) : undefined
  return new Promise<StepResult>((resolve) => {
    child.once('error', (error) => resolve(ended('failed', startedAt, { error: `could not start ${file}: ${error.message}` })))
    child.once('close', (code, exitSignal) => resolve(describeExit({ code, exitSignal, stoppedAs, startedAt, task, stderr: stderr.text() })))
    // Background processes the step left behind would outlive it; the group goes with its leader.
    child.once('exit', () => signalGroup(child, 'SIGKILL'))
  }).finally(() => {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  })
}

interface Exit {
  readonly code: number | null
  readonly exitSignal: NodeJS.Signals | null
  readonly stoppedAs: 'timed_out' | 'cancelled' | undefined
  readonly startedAt: number
  readonly task: StepTask
  readonly stderr: string
}

function describeExit(exit: Exit): StepResult {
  const exitCode = exit.code ?? undefined
  const tail = exit.stderr.trim()
  const said = tail === '' ? '' : `; stderr ends with:\n${tail}`
  if (exit.stoppedAs === 'timed_out') {
    return ended('timed_out', exit.startedAt, { exitCode, error: `step ${exit.task.step} ran past its timeout of ${exit.task.timeoutMs} ms and was killed${said}` })
  }
  if (exit.stoppedAs === 'cancelled') return ended('cancelled', exit.startedAt, { exitCode, error: 'the run was cancelled; the step was killed' })
  if (exit.code === 0) return ended('succeeded', exit.startedAt, { exitCode })
  const how = exit.code === null ? `was killed by ${exit.exitSignal}` : `exited with code ${exit.code}`
  return ended('failed', exit.startedAt, { exitCode, error: `step ${exit.task.step} ${how}${said}` })
}

function ended(outcome: StepOutcome, startedAt: number, extra: { exitCode?: number; error?: string }): StepResult {
  return { outcome, ...extra, outputParams: {}, outputArtifacts: {}, metrics: {}, startedAt, endedAt: Date.now() }
}

function killGroup(child: ChildProcess, graceMs: number): void {
  signalGroup(child, 'SIGTERM')
  setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs).unref()
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

/** Keeps the last `limit` bytes of a stream without holding all of it. */
class TailBuffer {
  readonly #limit: number
  #chunks: Buffer[] = []
  #size = 0

  constructor(limit: number) {
    this.#limit = limit
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#size += chunk.length
    while (this.#size - (this.#chunks[0]?.length ?? 0) >= this.#limit && this.#chunks.length > 1) {
      this.#size -= this.#chunks.shift()!.length
    }
  }

  text(): string {
    const all = Buffer.concat(this.#chunks)
    return all.subarray(Math.max(0, all.length - this.#limit)).toString('utf8')
  }
}
