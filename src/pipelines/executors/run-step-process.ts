import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { ArtifactStore } from '../../artifacts/index.js'
import { proxiedPath } from '../../artifacts/artifact-service.js'
import { joinArtifactPath } from '../../artifacts/artifact-path.js'
import { substitute } from '../pipeline-expressions.js'
import type { ExecuteHooks, StepResult, StepTask } from '../step-executor.js'
import { containerCommand, findContainerRuntime } from './container-command.js'
import { ProcessGroup } from './process-group.js'
import { directSpawner, type Spawner } from './spawner.js'
import { downloadArtifact, isStoreUri, localPathOf, uploadArtifact } from './step-artifacts.js'
import { inheritedEnv, numericPairs, readPairs, redact, shellQuote } from './step-env.js'

export interface StepProcessOptions {
  /** Where inputs are read from and outputs and logs go. */
  readonly artifacts: ArtifactStore
  /** Parent folder of each attempt's scratch folder (default: the OS temp folder). */
  readonly scratchRoot?: string
  /** Folder relative input paths and commands resolve against when the task names none. */
  readonly baseDir?: string
  /** Between SIGTERM and SIGKILL on timeout or cancel. */
  readonly killGraceMs?: number
  /** Environment a step inherits before Plinth's own variables are removed. */
  readonly processEnv?: NodeJS.ProcessEnv
  /** Looks up docker/podman; tests pass a fixed answer. */
  readonly containerRuntime?: () => Promise<string | undefined>
  /** How commands are started (default: from this process). */
  readonly spawner?: Spawner
}

interface Paths {
  readonly scratch: string
  readonly inputs: Record<string, string>
  readonly outputs: Record<string, string>
  readonly outputsDir: string
  readonly log: string
}

/**
 * Runs one attempt as a child process group and stores what it produced. Shared by the local
 * executor and queue workers, so it knows nothing of runs, retries or the DAG.
 */
export async function runStepProcess(task: StepTask, signal: AbortSignal, options: StepProcessOptions, hooks: ExecuteHooks = {}): Promise<StepResult> {
  const worker = `${hostname()}:${process.pid}`
  const began = Date.now()
  // A random name instead of mkdtemp: the folder and its two subfolders are then made in one
  // round trip to the thread pool instead of three, on the path to the step's start.
  const scratch = join(options.scratchRoot ?? tmpdir(), `plinth-step-${task.step}-${randomBytes(8).toString('hex')}`)
  try {
    const paths = await preparePaths(task, scratch, options)
    const command = await commandOf(task, paths, options)
    if ('refused' in command) return failed(began, worker, command.refused)
    const env = stepEnv(task, paths, options)
    const spawner = options.spawner ?? directSpawner
    const group = new ProcessGroup(await spawner.spawn({ file: command.file, args: command.args, cwd: task.workingDir ?? options.baseDir ?? scratch, env, logPath: paths.log }))
    hooks.onStarted?.(group.startedAt)
    const ending = await waitForEnd(group, task, signal, options.killGraceMs ?? 5000)
    group.sweep()
    return await collect(task, paths, options, { ...ending, startedAt: group.startedAt, worker })
  } catch (error) {
    return failed(began, worker, `The step could not run: ${(error as Error).message}`)
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined)
  }
}

async function preparePaths(task: StepTask, scratch: string, options: StepProcessOptions): Promise<Paths> {
  const outputsDir = join(scratch, 'outputs')
  await Promise.all([mkdir(join(scratch, 'inputs'), { recursive: true, mode: 0o700 }), mkdir(outputsDir, { recursive: true, mode: 0o700 })])
  const inputs: Record<string, string> = {}
  for (const [name, uri] of Object.entries(task.inputs)) {
    if (isStoreUri(uri)) {
      inputs[name] = join(scratch, 'inputs', name)
      await downloadArtifact(options.artifacts, uri, inputs[name])
    } else inputs[name] = localPathOf(uri, task.workingDir ?? options.baseDir ?? process.cwd())
  }
  const outputs = Object.fromEntries(task.outputs.artifacts.map((name) => [name, join(outputsDir, name)]))
  return { scratch, inputs, outputs, outputsDir, log: join(scratch, 'step.log') }
}

type Command = { file: string; args: string[] } | { refused: string }

async function commandOf(task: StepTask, paths: Paths, options: StepProcessOptions): Promise<Command> {
  const fill = (quote: boolean) => (text: string) =>
    substitute(text, (ref) => {
      const path = ref.scope === 'inputs' ? paths.inputs[ref.name] : ref.scope === 'outputs' ? paths.outputs[ref.name] : undefined
      return path === undefined ? undefined : quote ? shellQuote(path) : path
    })
  const argv = 'shell' in task.command ? ['sh', '-c', fill(true)(task.command.shell)] : task.command.argv.map(fill(false))
  if (task.image === undefined) return { file: argv[0]!, args: argv.slice(1) }
  const runtime = await (options.containerRuntime ?? findContainerRuntime)()
  if (!runtime) return { refused: `Step '${task.step}' runs in image '${task.image}', but neither docker nor podman is on this machine's PATH; install one, or run the pipeline on a worker that has one.` }
  const built = containerCommand(runtime, task.image, argv, { scratch: paths.scratch, workingDir: task.workingDir, env: Object.keys(stepEnv(task, paths, options)) })
  return { file: built[0]!, args: built.slice(1) }
}

function stepEnv(task: StepTask, paths: Paths, options: StepProcessOptions): Record<string, string> {
  const env: Record<string, string> = {
    ...inheritedEnv(options.processEnv),
    ...task.env,
    PLINTH_OUTPUT: join(paths.scratch, 'output.env'),
    PLINTH_METRICS: join(paths.scratch, 'metrics.env'),
    PLINTH_OUTPUTS_DIR: paths.outputsDir,
    PLINTH_PIPELINE: task.pipeline,
    PLINTH_PIPELINE_RUN_ID: task.pipelineRunId,
    PLINTH_STEP: task.step,
    PLINTH_ATTEMPT: String(task.attempt),
    MLFLOW_RUN_ID: task.trackingRunId,
  }
  if (task.trackingUri) env.MLFLOW_TRACKING_URI = task.trackingUri
  for (const [name, path] of Object.entries(paths.outputs)) env[`PLINTH_OUTPUT_${name.toUpperCase()}`] = path
  for (const [name, path] of Object.entries(paths.inputs)) env[`PLINTH_INPUT_${name.toUpperCase()}`] = path
  return env
}

interface Ending {
  readonly outcome: 'exited' | 'timed_out' | 'cancelled'
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly spawnError?: Error
}

async function waitForEnd(group: ProcessGroup, task: StepTask, signal: AbortSignal, graceMs: number): Promise<Ending> {
  let reason: 'timed_out' | 'cancelled' | undefined
  const stop = (why: 'timed_out' | 'cancelled') => {
    reason ??= why
    void group.terminate(graceMs)
  }
  const onAbort = () => stop('cancelled')
  if (signal.aborted) onAbort()
  signal.addEventListener('abort', onAbort, { once: true })
  const timer = task.timeoutMs === undefined ? undefined : setTimeout(() => stop('timed_out'), task.timeoutMs)
  try {
    const exit = await group.exited
    return { outcome: reason ?? 'exited', ...exit }
  } finally {
    if (timer) clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

async function collect(task: StepTask, paths: Paths, options: StepProcessOptions, end: Ending & { startedAt: number; worker: string }): Promise<StepResult> {
  const endedAt = Date.now()
  const root = artifactRoot(task)
  const logUri = await storeLog(task, paths, options.artifacts, root)
  const base = { startedAt: end.startedAt, endedAt, worker: end.worker, logUri, outputParams: {}, outputArtifacts: {}, metrics: {} }
  const exitCode = end.code ?? undefined
  if (end.spawnError) return { ...base, outcome: 'failed', error: `Could not start the command: ${end.spawnError.message}.` }
  if (end.outcome === 'timed_out') return { ...base, outcome: 'timed_out', error: `Timed out after ${task.timeoutMs} ms; the process tree was killed.` }
  if (end.outcome === 'cancelled') return { ...base, outcome: 'cancelled', error: 'Cancelled; the process tree was killed.' }
  if (end.code !== 0) return { ...base, outcome: 'failed', ...(exitCode === undefined ? {} : { exitCode }), error: end.signal ? `Killed by ${end.signal}.` : `Exited with code ${end.code}; see the step log.` }
  const outputParams = await readPairs(join(paths.scratch, 'output.env'))
  const { metrics, bad } = numericPairs(await readPairs(join(paths.scratch, 'metrics.env')))
  const missing = task.outputs.params.filter((p) => !(p in outputParams))
  if (missing.length > 0) return { ...base, outcome: 'failed', exitCode: 0, metrics, outputParams, error: `The step did not report output param${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; write 'name=value' lines to $PLINTH_OUTPUT.` }
  const outputArtifacts: Record<string, string> = {}
  for (const [name, path] of Object.entries(paths.outputs)) {
    if (!(await stat(path).catch(() => undefined))) return { ...base, outcome: 'failed', exitCode: 0, metrics, outputParams, error: `The step declared output artifact '${name}' but wrote nothing to $PLINTH_OUTPUT_${name.toUpperCase()} (\${{ outputs.${name} }}).` }
    outputArtifacts[name] = await uploadArtifact(options.artifacts, path, joinArtifactPath(root, `outputs/${name}`))
  }
  const note = bad.length > 0 ? `ignored non-numeric metrics: ${bad.join(', ')}` : undefined
  return { ...base, outcome: 'succeeded', exitCode: 0, outputParams, outputArtifacts, metrics, ...(note ? { error: note } : {}) }
}

/** Store path of the attempt's artifacts: its MLflow run's folder when known. */
function artifactRoot(task: StepTask): string {
  if (task.artifactUri) return proxiedPath(task.artifactUri)
  return `pipelines/${task.pipelineRunId}/${task.step}-${task.attempt}`
}

async function storeLog(task: StepTask, paths: Paths, store: ArtifactStore, root: string): Promise<string | undefined> {
  const text = await readFile(paths.log, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const secrets = task.secretEnv.map((name) => task.env[name] ?? '')
  const path = joinArtifactPath(root, `logs/${task.step}-${task.attempt}.log`)
  await store.put(path, Readable.from([Buffer.from(redact(text, secrets))]))
  return `mlflow-artifacts:/${path}`
}

function failed(began: number, worker: string, error: string): StepResult {
  return { outcome: 'failed', error, startedAt: began, endedAt: Date.now(), worker, outputParams: {}, outputArtifacts: {}, metrics: {} }
}
