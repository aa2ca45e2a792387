import type { PipelineGraph } from './pipeline-graph.js'
import type { PipelineSpec, RetryPolicy } from './pipeline-spec.js'
import { FINISHED_OK, type PipelineRun, type PipelineStore, type StepAttempt } from './pipeline-store.js'
import type { StepOutputs } from './step-resolver.js'

export type StepState = 'waiting' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled'

interface Seedable {
  readonly state: Map<string, StepState>
  readonly outputs: Map<string, StepOutputs>
  readonly next: Map<string, number>
}

/** Backoff before attempt `attempt + 1`: exponential, capped, with ±20% jitter so retries of many runs spread out. */
export function retryDelay(policy: RetryPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * policy.factor ** (attempt - 1))
  return Math.round(base * (0.8 + 0.4 * random))
}

function latestByStep(attempts: readonly StepAttempt[]): Map<string, StepAttempt> {
  const latest = new Map<string, StepAttempt>()
  for (const a of attempts) if ((latest.get(a.step)?.attempt ?? 0) < a.attempt) latest.set(a.step, a)
  return latest
}

/**
 * Steps a run made by "re-run from a step" must execute afresh: the chosen step and everything
 * downstream of it. Kept in the run's trigger payload so a server that takes the run over after a
 * crash knows them too.
 */
export function rerunSteps(run: PipelineRun, graph: PipelineGraph): ReadonlySet<string> {
  const fromStep = (run.trigger.payload as { fromStep?: unknown } | undefined)?.fromStep
  if (!run.resumedFrom || typeof fromStep !== 'string' || !graph.steps.has(fromStep)) return new Set()
  return new Set([fromStep, ...graph.descendants(fromStep)])
}

/**
 * Where a run picks up. A run this process resumes after a crash keeps its finished steps and
 * re-runs steps that were in flight (marked `lost`); a run made by `resume` copies the succeeded
 * steps of the run it resumes as `cached` attempts and runs the rest.
 */
export async function seedFromAttempts(run: PipelineRun, spec: PipelineSpec, store: PipelineStore, into: Seedable, rerun: ReadonlySet<string> = new Set()): Promise<void> {
  const own = await store.listAttempts(run.id)
  if (own.length === 0 && run.resumedFrom) return copyFrom(run, spec, store, into, rerun)
  for (const [step, a] of latestByStep(own)) {
    const spec_ = spec.steps.find((s) => s.name === step)
    if (!spec_) continue
    into.next.set(step, a.attempt + 1)
    if (FINISHED_OK.includes(a.status)) {
      into.state.set(step, 'done')
      into.outputs.set(step, { params: a.outputParams, artifacts: a.outputArtifacts })
    } else if (a.status === 'running') {
      const now = Date.now()
      await store.finishAttempt(a, { status: 'lost', startedAt: a.startedAt, endedAt: now, exitCode: null, error: 'The process running this step stopped; the step runs again.', outputParams: {}, outputArtifacts: {}, metrics: {}, logUri: null, worker: a.worker })
    } else if ((a.status === 'failed' || a.status === 'timed_out') && a.attempt > spec_.retry.limit) {
      into.state.set(step, 'failed')
    }
  }
}

async function copyFrom(run: PipelineRun, spec: PipelineSpec, store: PipelineStore, into: Seedable, rerun: ReadonlySet<string>): Promise<void> {
  const source = await store.listAttempts(run.resumedFrom!)
  for (const [step, a] of latestByStep(source)) {
    if (!FINISHED_OK.includes(a.status) || rerun.has(step) || !spec.steps.some((s) => s.name === step)) continue
    const from = a.cachedFrom ?? { runId: a.runId, step: a.step, attempt: a.attempt }
    const now = Date.now()
    await store.insertAttempt({ ...a, runId: run.id, attempt: 1, status: 'cached', cachedFrom: from, readyAt: now, startedAt: now, endedAt: now, worker: null })
    into.state.set(step, 'done')
    into.next.set(step, 2)
    into.outputs.set(step, { params: a.outputParams, artifacts: a.outputArtifacts })
  }
}
