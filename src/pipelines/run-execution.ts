import { setMaxListeners } from 'node:events'
import type { ArtifactStore } from '../artifacts/index.js'
import type { Services } from '../app/services.js'
import type { BuiltinStep } from './builtin-step.js'
import { runBuiltin } from './builtin-runner.js'
import { cacheKey, findCacheHit, isCacheable } from './cache-key.js'
import { hashCodeFiles } from './code-files.js'
import { hashArtifact } from './executors/step-artifacts.js'
import type { PipelineEvent } from './pipeline-events.js'
import { PipelineGraph } from './pipeline-graph.js'
import type { BuiltinName, PipelineSpec, StepSpec } from './pipeline-spec.js'
import type { AttemptStatus, PipelineRun, PipelineStore, RunStatus, StepAttempt } from './pipeline-store.js'
import type { PipelineTracker } from './pipeline-tracker.js'
import { rerunSteps, retryDelay, seedFromAttempts, type StepState } from './run-seed.js'
import { AttemptStart } from './attempt-start.js'
import type { StepExecutor, StepResult, StepTask } from './step-executor.js'
import { type ResolvedStep, resolveStep, type StepOutputs } from './step-resolver.js'

export interface RunnerDeps {
  readonly store: PipelineStore
  readonly executor: StepExecutor
  readonly artifacts: ArtifactStore
  readonly tracker?: PipelineTracker
  readonly builtins: ReadonlyMap<BuiltinName, BuiltinStep>
  /** The app's services for built-in steps (a function: they are composed after the runner). */
  readonly services?: () => Services | undefined
  readonly trackingUri: () => string | undefined
  /** Where `{env: NAME}` secrets come from. */
  readonly secretEnv: NodeJS.ProcessEnv
  /** Jitter for retry backoff, in [0, 1). */
  readonly random: () => number
  readonly emit: (event: PipelineEvent) => void
  readonly warn: (message: string) => void
}

/**
 * One pipeline run in flight. Event-driven: when a step settles, the steps waiting on it are
 * checked at once, so a ready step starts without waiting for a polling tick.
 */
export class RunExecution {
  readonly #run: PipelineRun
  readonly #spec: PipelineSpec
  readonly #graph: PipelineGraph
  /** Steps of a "re-run from a step" run: they execute even when the cache holds their result. */
  readonly #rerun: ReadonlySet<string>
  readonly #deps: RunnerDeps
  readonly #state = new Map<string, StepState>()
  readonly #outputs = new Map<string, StepOutputs>()
  readonly #next = new Map<string, number>()
  readonly #abort = new AbortController()
  readonly #pending = new Set<Promise<unknown>>()
  #trackingRunId: string | undefined
  #abandoned = false
  #finishing = false
  #resolve!: (status: RunStatus) => void
  readonly finished: Promise<RunStatus>

  constructor(run: PipelineRun, spec: PipelineSpec, deps: RunnerDeps) {
    this.#run = run
    this.#spec = spec
    this.#graph = new PipelineGraph(spec)
    this.#rerun = rerunSteps(run, this.#graph)
    this.#deps = deps
    this.finished = new Promise((resolve) => (this.#resolve = resolve))
    // Every step in flight (a wide fan-out) listens on the run's signal.
    setMaxListeners(0, this.#abort.signal)
    for (const step of spec.steps) {
      this.#state.set(step.name, 'waiting')
      this.#next.set(step.name, 1)
    }
  }

  get runId(): string {
    return this.#run.id
  }

  async start(): Promise<void> {
    try {
      this.#trackingRunId = this.#run.trackingRunId ?? undefined
      if (!this.#trackingRunId && this.#deps.tracker) {
        this.#trackingRunId = (await this.#deps.tracker.startRun(this.#run)).runId
        await this.#deps.store.setRunTrackingId(this.#run.id, this.#trackingRunId)
      }
      await seedFromAttempts(this.#run, this.#spec, this.#deps.store, { state: this.#state, outputs: this.#outputs, next: this.#next }, this.#rerun)
    } catch (error) {
      await this.#finish('failed', `The run could not start: ${(error as Error).message}`)
      return
    }
    this.#deps.emit({ type: 'run', runId: this.#run.id, status: 'running', at: Date.now() })
    this.#schedule()
  }

  /** Stops every step (process trees are killed); the run ends `cancelled`. */
  cancel(): void {
    this.#abort.abort()
  }

  /** Server shutdown: kill steps but record nothing, so the next start resumes this run. */
  abandon(): void {
    this.#abandoned = true
    this.#abort.abort()
  }

  #schedule(): void {
    let changed = true
    while (changed && !this.#abort.signal.aborted) {
      changed = false
      for (const step of this.#spec.steps) {
        if (this.#state.get(step.name) !== 'waiting') continue
        const ups = this.#graph.upstream.get(step.name) ?? []
        if (ups.some((u) => ['failed', 'skipped', 'cancelled'].includes(this.#state.get(u)!))) {
          this.#skip(step)
          changed = true
        } else if (ups.every((u) => this.#state.get(u) === 'done')) {
          this.#launch(step)
        }
      }
    }
    this.#maybeFinish()
  }

  #launch(step: StepSpec): void {
    this.#state.set(step.name, 'running')
    const readyAt = Date.now()
    void this.#runStep(step, readyAt)
      .catch((error: Error) => {
        this.#deps.warn(`pipeline run ${this.#run.id}: step ${step.name}: ${error.message}`)
        return 'failed' as const
      })
      .then((state) => {
        this.#state.set(step.name, state)
        this.#schedule()
      })
  }

  #skip(step: StepSpec): void {
    this.#state.set(step.name, 'skipped')
    const attempt = this.#take(step.name)
    const failedUp = (this.#graph.upstream.get(step.name) ?? []).filter((u) => this.#state.get(u) !== 'done')
    const error = `Skipped: step ${failedUp.join(', ')} did not succeed.`
    this.#track(this.#deps.store.insertAttempt(blankAttempt(this.#run.id, step.name, attempt, { status: 'skipped', error, endedAt: Date.now() })))
    this.#deps.emit({ type: 'step', runId: this.#run.id, step: step.name, attempt, status: 'skipped', at: Date.now(), error })
  }

  async #runStep(step: StepSpec, readyAt: number): Promise<StepState> {
    let resolved: ResolvedStep
    let key: string | undefined
    try {
      resolved = await resolveStep(step, { params: this.#run.params, outputs: this.#outputs, pipelineEnv: this.#spec.env, baseDir: this.#baseDir, secretEnv: this.#deps.secretEnv })
      key = isCacheable(step) ? await this.#cacheKey(step, resolved) : undefined
      if (key && !this.#rerun.has(step.name) && (await this.#fromCache(step, key, readyAt))) return 'done'
    } catch (error) {
      return this.#failBeforeStart(step, readyAt, (error as Error).message)
    }
    for (let ready = readyAt; ; ready = Date.now()) {
      const attempt = this.#take(step.name)
      const outcome = await this.#attempt(step, attempt, resolved, key, ready)
      if (outcome === 'succeeded') return 'done'
      if (this.#abort.signal.aborted || outcome === 'cancelled') return 'cancelled'
      if (attempt > step.retry.limit) return 'failed'
      this.#deps.emit({ type: 'step', runId: this.#run.id, step: step.name, attempt, status: 'retrying', at: Date.now() })
      await abortableSleep(retryDelay(step.retry, attempt, this.#deps.random()), this.#abort.signal)
      if (this.#abort.signal.aborted) return 'cancelled'
    }
  }

  async #attempt(step: StepSpec, attempt: number, resolved: ResolvedStep, key: string | undefined, readyAt: number): Promise<AttemptStatus> {
    const run = this.#run
    const inputsAsParams = Object.fromEntries(Object.entries(resolved.inputs).map(([k, v]) => [`input.${k}`, v]))
    const tracked = this.#deps.tracker && this.#trackingRunId ? await this.#deps.tracker.startStep(run, this.#trackingRunId, step.name, attempt, { ...resolved.paramsUsed, ...inputsAsParams }) : undefined
    const row = blankAttempt(run.id, step.name, attempt, { status: 'running', cacheKey: key ?? null, readyAt, trackingRunId: tracked?.runId ?? null })
    const start = new AttemptStart(row, this.#deps, this.#abort.signal)
    const task = this.#task(step, attempt, resolved, tracked)
    let result: StepResult
    try {
      if (resolved.action.kind === 'builtin') {
        await start.record(Date.now())
        result = await runBuiltin({ builtin: this.#deps.builtins.get(resolved.action.uses as BuiltinName), args: resolved.action.with, task, services: this.#deps.services?.(), steps: this.#stepParams(), artifacts: this.#deps.artifacts }, start.signal)
      } else {
        result = await this.#deps.executor.execute(task, start.signal, { onStarted: (at) => void start.record(at).catch(() => undefined) })
      }
    } finally {
      start.dispose()
    }
    if (this.#abandoned) return 'lost'
    // Executors that never reported a start (or failed before one) are recorded now; a row that could not be written fails the step.
    await start.record(result.startedAt)
    const status: AttemptStatus = result.outcome
    await this.#deps.store.finishAttempt(row, finishOf(status, result))
    if (status === 'succeeded') this.#outputs.set(step.name, { params: result.outputParams, artifacts: result.outputArtifacts })
    this.#deps.emit({ type: 'step', runId: run.id, step: step.name, attempt, status, at: result.endedAt, ...(result.error ? { error: result.error } : {}) })
    if (tracked) this.#track(this.#deps.tracker!.endRun(tracked.runId, status === 'succeeded' ? true : status === 'cancelled' ? 'killed' : false, { metrics: result.metrics, outputs: { ...result.outputParams, ...result.outputArtifacts } }))
    if (status === 'succeeded' && key) this.#track(this.#deps.store.recordCache(run.pipeline, key, row, Date.now()))
    return status
  }

  #task(step: StepSpec, attempt: number, resolved: ResolvedStep, tracked: { runId: string; artifactUri: string } | undefined): StepTask {
    const action = resolved.action
    const trackingUri = this.#deps.trackingUri()
    return {
      pipelineRunId: this.#run.id,
      pipeline: this.#run.pipeline,
      step: step.name,
      attempt,
      attemptId: `${this.#run.id}/${step.name}/${attempt}`,
      trackingRunId: tracked?.runId ?? '',
      ...(tracked ? { artifactUri: tracked.artifactUri } : {}),
      ...(trackingUri ? { trackingUri } : {}),
      command: action.kind === 'builtin' ? { shell: action.uses } : action.command,
      ...(action.kind === 'command' && action.image ? { image: action.image } : {}),
      workingDir: action.kind === 'command' && action.workingDir ? action.workingDir : this.#baseDir,
      env: { ...resolved.env, ...resolved.secrets },
      secretEnv: Object.keys(resolved.secrets),
      inputs: resolved.inputs,
      outputs: step.outputs,
      ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
    }
  }

  async #cacheKey(step: StepSpec, resolved: ResolvedStep): Promise<string> {
    const inputs: Record<string, string> = {}
    for (const [name, uri] of Object.entries(resolved.inputs)) inputs[name] = await hashArtifact(this.#deps.artifacts, uri, this.#baseDir)
    const code = await hashCodeFiles(step.code, this.#baseDir)
    const action = resolved.action.kind === 'builtin' ? { uses: resolved.action.uses, with: resolved.action.with } : resolved.action
    return cacheKey({ action, params: resolved.paramsUsed, env: resolved.env, inputs, code, outputs: step.outputs })
  }

  async #fromCache(step: StepSpec, key: string, readyAt: number): Promise<boolean> {
    const hit = await findCacheHit(this.#deps.store, this.#deps.artifacts, this.#run.pipeline, key)
    if (!hit) return false
    const attempt = this.#take(step.name)
    const now = Date.now()
    const source = hit.cachedFrom ?? { runId: hit.runId, step: hit.step, attempt: hit.attempt }
    await this.#deps.store.insertAttempt({ ...hit, runId: this.#run.id, step: step.name, attempt, status: 'cached', cacheKey: key, cachedFrom: source, readyAt, startedAt: now, endedAt: now, worker: null })
    this.#outputs.set(step.name, { params: hit.outputParams, artifacts: hit.outputArtifacts })
    this.#deps.emit({ type: 'step', runId: this.#run.id, step: step.name, attempt, status: 'cached', at: now })
    return true
  }

  async #failBeforeStart(step: StepSpec, readyAt: number, error: string): Promise<StepState> {
    const attempt = this.#take(step.name)
    const now = Date.now()
    await this.#deps.store.insertAttempt(blankAttempt(this.#run.id, step.name, attempt, { status: 'failed', error, readyAt, startedAt: now, endedAt: now }))
    this.#deps.emit({ type: 'step', runId: this.#run.id, step: step.name, attempt, status: 'failed', at: now, error })
    return 'failed'
  }

  #maybeFinish(): void {
    if (this.#finishing || [...this.#state.values()].some((s) => s === 'running')) return
    const states = [...this.#state.values()]
    const status: RunStatus = this.#abort.signal.aborted ? 'cancelled' : states.includes('failed') || states.includes('cancelled') ? 'failed' : 'succeeded'
    const failedSteps = this.#spec.steps.filter((s) => this.#state.get(s.name) === 'failed').map((s) => s.name)
    void this.#finish(status, failedSteps.length > 0 ? `Step${failedSteps.length > 1 ? 's' : ''} ${failedSteps.join(', ')} failed.` : null)
  }

  async #finish(status: RunStatus, error: string | null): Promise<void> {
    if (this.#finishing) return
    this.#finishing = true
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
    if (!this.#abandoned) {
      try {
        if (this.#trackingRunId && this.#deps.tracker) await this.#deps.tracker.endRun(this.#trackingRunId, status === 'succeeded' ? true : status === 'cancelled' ? 'killed' : false)
        await this.#deps.store.finishRun(this.#run.id, status as 'succeeded', Date.now(), error)
      } catch (e) {
        this.#deps.warn(`pipeline run ${this.#run.id}: could not record its end: ${(e as Error).message}`)
      }
      this.#deps.emit({ type: 'run', runId: this.#run.id, status, at: Date.now(), ...(error ? { error } : {}) })
    }
    this.#resolve(status)
  }

  #take(step: string): number {
    const n = this.#next.get(step) ?? 1
    this.#next.set(step, n + 1)
    return n
  }

  #stepParams(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.#outputs].map(([name, out]) => [name, { ...out.params, ...out.artifacts }]))
  }

  get #baseDir(): string {
    return this.#run.baseDir ?? process.cwd()
  }

  #track(promise: Promise<unknown>): void {
    const p = promise.catch((error: Error) => this.#deps.warn(`pipeline run ${this.#run.id}: ${error.message}`))
    this.#pending.add(p)
    void p.finally(() => this.#pending.delete(p))
  }
}

export function blankAttempt(runId: string, step: string, attempt: number, extra: Partial<StepAttempt>): StepAttempt {
  return { runId, step, attempt, status: 'running', cacheKey: null, cachedFrom: null, readyAt: null, startedAt: null, endedAt: null, exitCode: null, error: null, outputParams: {}, outputArtifacts: {}, metrics: {}, logUri: null, trackingRunId: null, worker: null, ...extra }
}

function finishOf(status: AttemptStatus, r: StepResult) {
  return { status, startedAt: r.startedAt, endedAt: r.endedAt, exitCode: r.exitCode ?? null, error: r.error ?? null, outputParams: r.outputParams, outputArtifacts: r.outputArtifacts, metrics: r.metrics, logUri: r.logUri ?? null, worker: r.worker ?? null }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
