import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import type { Readable } from 'node:stream'
import type { ArtifactStore } from '../artifacts/index.js'
import { proxiedPath } from '../artifacts/artifact-service.js'
import { AppError, notFound } from '../shared/errors.js'
import type { BuiltinStep } from './builtin-step.js'
import { launchParams } from './launch-params.js'
import { parsePipelineOrThrow } from './parse-pipeline.js'
import type { LaunchRequest, LaunchResult, PipelineLauncher, TriggerInfo } from './pipeline-launcher.js'
import type { PipelineRunner } from './pipeline-runner.js'
import type { BuiltinName, PipelineSpec } from './pipeline-spec.js'
import type { PipelineRun, PipelineStore, RunStatus, StepAttempt, StoredPipeline } from './pipeline-store.js'
import { isFinalRunStatus } from './pipeline-events.js'
import { ownerIsGone } from './run-owner.js'

export interface PipelineServiceOptions {
  readonly store: PipelineStore
  readonly runner: PipelineRunner
  readonly artifacts: ArtifactStore
  readonly builtins: ReadonlyMap<BuiltinName, BuiltinStep>
  /** How often runs in flight are marked alive and checked for cancels from other processes. */
  readonly heartbeatMs?: number
  /** A running run whose owner has not beaten for this long is taken over. */
  readonly staleMs?: number
}

export interface RunView {
  readonly run: PipelineRun
  readonly attempts: StepAttempt[]
}

/** Pipelines and their runs: apply, launch (the one PipelineLauncher), cancel, resume, logs. */
export class PipelineService implements PipelineLauncher {
  readonly #o: PipelineServiceOptions
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  readonly #finished = new Map<string, Promise<RunStatus>>()
  readonly #changes = new EventEmitter()
  #timer: NodeJS.Timeout | undefined

  constructor(options: PipelineServiceOptions) {
    this.#o = options
  }

  get runner(): PipelineRunner {
    return this.#o.runner
  }

  /** Registers or updates a pipeline from its YAML; refuses the file with every problem listed. */
  async apply(source: string, options: { file?: string; baseDir?: string } = {}): Promise<{ pipeline: StoredPipeline; spec: PipelineSpec }> {
    const spec = this.parse(source, options.file)
    const pipeline = await this.#o.store.savePipeline(spec.name, source, options.baseDir ?? null, Date.now())
    this.#changes.emit('change')
    return { pipeline, spec }
  }

  /** Calls `listener` after a pipeline is applied in this process (triggers re-arm); returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#changes.on('change', listener)
    return () => this.#changes.off('change', listener)
  }

  parse(source: string, file?: string): PipelineSpec {
    return parsePipelineOrThrow(source, { ...(file ? { file } : {}), builtins: this.#o.builtins })
  }

  list(): Promise<StoredPipeline[]> {
    return this.#o.store.listPipelines()
  }

  async get(name: string): Promise<{ pipeline: StoredPipeline; spec: PipelineSpec }> {
    const pipeline = await this.#o.store.getPipeline(name)
    if (!pipeline) throw notFound(`No pipeline named '${name}'; register it with: plinth pipelines apply FILE`)
    return { pipeline, spec: parsePipelineOrThrow(pipeline.source, { file: name }) }
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    const { pipeline, spec } = await this.get(request.pipeline)
    const params = launchParams(spec, request.params)
    const policy = request.concurrency ?? spec.concurrency
    let replaced: string | undefined
    if (policy === 'replace') {
      for (const active of await this.#o.store.activeRuns(pipeline.name)) {
        await this.cancel(active.id)
        replaced ??= active.id
      }
    }
    const run = { id: newRunId(), pipeline: pipeline.name, pipelineVersion: pipeline.version, source: pipeline.source, baseDir: pipeline.baseDir, params, trigger: request.trigger, createdAt: Date.now(), resumedFrom: null }
    const created = await this.#o.store.createRun(run, policy === 'forbid')
    if (!created.created) return { started: false, reason: created.reason, activeRunId: created.runId }
    await this.#execute(created.run)
    return { started: true, runId: run.id, ...(replaced ? { replaced } : {}) }
  }

  /**
   * A new run of an ended one with the same source and params. Without `fromStep` (a failed or
   * cancelled run) its succeeded steps are re-used and the rest run; with it (any ended run) that
   * step and every step downstream of it run again, bypassing the cache, and the others are re-used.
   */
  async resume(runId: string, trigger: TriggerInfo = { kind: 'manual' }, options: { fromStep?: string } = {}): Promise<LaunchResult> {
    const old = (await this.getRun(runId)).run
    const spec = parsePipelineOrThrow(old.source)
    checkResumable(old, spec, options.fromStep)
    const payload = { resumedFrom: runId, ...(options.fromStep ? { fromStep: options.fromStep } : {}) }
    const run = { id: newRunId(), pipeline: old.pipeline, pipelineVersion: old.pipelineVersion, source: old.source, baseDir: old.baseDir, params: old.params, trigger: { ...trigger, payload }, createdAt: Date.now(), resumedFrom: runId }
    const created = await this.#o.store.createRun(run, spec.concurrency === 'forbid')
    if (!created.created) return { started: false, reason: created.reason, activeRunId: created.runId }
    await this.#execute(created.run)
    return { started: true, runId: run.id }
  }

  async getRun(id: string): Promise<RunView> {
    const run = await this.#o.store.getRun(id)
    if (!run) throw notFound(`No pipeline run with id ${id}; list runs with: plinth pipelines runs PIPELINE`)
    return { run, attempts: await this.#o.store.listAttempts(id) }
  }

  async listRuns(pipeline: string, limit = 50): Promise<PipelineRun[]> {
    await this.get(pipeline)
    return this.#o.store.listRuns(pipeline, Math.min(Math.max(limit, 1), 1000))
  }

  /** Cancels a queued or running run; runs driven by another process stop at its next heartbeat. */
  async cancel(id: string): Promise<PipelineRun> {
    const { run } = await this.getRun(id)
    if (isFinalRunStatus(run.status)) throw new AppError('INVALID_STATE', `Run ${id} already ended (${run.status}).`)
    const local = this.#o.runner.cancel(id)
    if (local) await local
    else await this.#o.store.finishRun(id, 'cancelled', Date.now(), 'Cancelled.')
    return (await this.getRun(id)).run
  }

  /** Resolves when a run this process drives ends (at once for a run already ended). */
  async waitFor(id: string): Promise<RunStatus> {
    const local = this.#finished.get(id)
    if (local) return local
    return (await this.getRun(id)).run.status
  }

  async stepLog(runId: string, step: string, attempt?: number): Promise<{ attempt: StepAttempt; body: Readable }> {
    const { attempts } = await this.getRun(runId)
    const ofStep = attempts.filter((a) => a.step === step)
    if (ofStep.length === 0) throw notFound(`Run ${runId} has no step '${step}' attempts (steps: ${[...new Set(attempts.map((a) => a.step))].join(', ') || 'none yet'}).`)
    const chosen = attempt === undefined ? ofStep.at(-1)! : ofStep.find((a) => a.attempt === attempt)
    if (!chosen) throw notFound(`Step '${step}' of run ${runId} has no attempt ${attempt}.`)
    const source = chosen.status === 'cached' && chosen.cachedFrom ? await this.#o.store.getAttempt(chosen.cachedFrom) : chosen
    if (!source?.logUri) throw new AppError('INVALID_STATE', `Step '${step}' attempt ${chosen.attempt} is ${chosen.status} and has no log${chosen.status === 'running' ? ' yet; it is stored when the attempt ends' : ''}.`)
    return { attempt: chosen, body: (await this.#o.artifacts.get(proxiedPath(source.logUri))).body }
  }

  /** Server start: picks up runs left by a process that died, then keeps its own runs alive. */
  async start(): Promise<void> {
    await this.recover()
    const every = this.#o.heartbeatMs ?? 5000
    this.#timer = setInterval(() => void this.#beat().catch(() => undefined), every)
    this.#timer.unref()
  }

  async recover(): Promise<string[]> {
    const taken: string[] = []
    const stale = this.#o.staleMs ?? 30_000
    for (const run of await this.#o.store.activeRuns()) {
      if (this.#finished.has(run.id)) continue
      const orphan = run.status === 'queued' ? run.owner === null : run.owner !== null && ownerIsGone(run.owner, run.heartbeatAt, stale)
      if (orphan && (await this.#execute(run, run.status === 'running' ? run.owner! : undefined))) taken.push(run.id)
    }
    return taken
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#o.runner.close()
  }

  async #beat(): Promise<void> {
    await this.#o.store.heartbeat(this.owner, Date.now())
    for (const id of this.#o.runner.runningIds()) {
      const run = await this.#o.store.getRun(id)
      if (run?.status === 'cancelled') this.#o.runner.cancel(id)
    }
    await this.recover()
  }

  async #execute(run: PipelineRun, takeOverFrom?: string): Promise<boolean> {
    if (!(await this.#o.store.claimRun(run.id, this.owner, Date.now(), takeOverFrom))) return false
    const claimed = { ...run, status: 'running' as const, owner: this.owner }
    const finished = this.#o.runner.run(claimed).finally(() => this.#finished.delete(run.id))
    finished.catch(() => undefined)
    this.#finished.set(run.id, finished)
    return true
  }
}

function checkResumable(old: PipelineRun, spec: PipelineSpec, fromStep: string | undefined): void {
  if (fromStep === undefined) {
    if (old.status !== 'failed' && old.status !== 'cancelled') throw new AppError('INVALID_STATE', `Run ${old.id} is ${old.status}; only a failed or cancelled run can be resumed (or re-run one from a chosen step with from_step).`)
    return
  }
  if (!isFinalRunStatus(old.status)) throw new AppError('INVALID_STATE', `Run ${old.id} is ${old.status}; wait for it to end or cancel it before re-running it from a step.`)
  if (!spec.steps.some((s) => s.name === fromStep)) throw new AppError('INVALID_PARAMETER_VALUE', `Run ${old.id} has no step '${fromStep}'; its steps are: ${spec.steps.map((s) => s.name).join(', ')}.`)
}

function newRunId(): string {
  return randomUUID().replaceAll('-', '')
}
