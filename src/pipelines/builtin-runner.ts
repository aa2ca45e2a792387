import { hostname } from 'node:os'
import { Readable } from 'node:stream'
import type { ArtifactStore } from '../artifacts/index.js'
import { joinArtifactPath } from '../artifacts/artifact-path.js'
import { proxiedPath } from '../artifacts/artifact-service.js'
import type { Services } from '../app/services.js'
import type { BuiltinContext, BuiltinStep } from './builtin-step.js'
import type { StepResult, StepTask } from './step-executor.js'

export interface BuiltinRun {
  readonly builtin: BuiltinStep | undefined
  readonly args: Readonly<Record<string, unknown>>
  readonly task: StepTask
  readonly services: Services | undefined
  readonly steps: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly artifacts: ArtifactStore
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

/** Runs a built-in step in this process, with the same result shape as a child process. */
export async function runBuiltin(run: BuiltinRun, signal: AbortSignal): Promise<StepResult> {
  const startedAt = Date.now()
  const worker = `${hostname()}:${process.pid}`
  const lines: string[] = []
  const base = { startedAt, worker, outputParams: {}, outputArtifacts: {}, metrics: {} }
  const uses = (run.task.command as { shell?: string }).shell ?? 'builtin'
  if (!run.builtin || !run.services) return { ...base, endedAt: Date.now(), outcome: 'failed', error: `Built-in step '${uses}' is not available where this pipeline runs (${run.builtin ? 'no services' : 'not registered'}).` }
  const controller = new AbortController()
  const onAbort = () => controller.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  const timer = run.task.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), run.task.timeoutMs)
  const context: BuiltinContext = {
    services: run.services,
    pipelineRunId: run.task.pipelineRunId,
    pipeline: run.task.pipeline,
    step: run.task.step,
    attempt: run.task.attempt,
    trackingRunId: run.task.trackingRunId,
    inputs: run.task.inputs,
    steps: run.steps,
    signal: controller.signal,
    log: (line) => void lines.push(line),
    now: () => Date.now(),
    sleep,
  }
  try {
    const result = await run.builtin.run(run.args, context)
    return { ...base, endedAt: Date.now(), outcome: 'succeeded', outputParams: result.outputs, metrics: result.metrics, ...(await storeLines(run, lines)) }
  } catch (error) {
    const outcome = signal.aborted ? 'cancelled' : controller.signal.aborted ? 'timed_out' : 'failed'
    lines.push(`error: ${(error as Error).message}`)
    return { ...base, endedAt: Date.now(), outcome, error: (error as Error).message, ...(await storeLines(run, lines)) }
  } finally {
    if (timer) clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

async function storeLines(run: BuiltinRun, lines: readonly string[]): Promise<{ logUri?: string }> {
  if (!run.task.artifactUri) return {}
  const path = joinArtifactPath(proxiedPath(run.task.artifactUri), `logs/${run.task.step}-${run.task.attempt}.log`)
  await run.artifacts.put(path, Readable.from([Buffer.from(lines.map((l) => `${l}\n`).join(''))]))
  return { logUri: `mlflow-artifacts:/${path}` }
}
