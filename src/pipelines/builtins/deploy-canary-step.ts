import type { Deployment, WeightedRoute } from '../../deployments/deployment-entities.js'
import type { Monitor } from '../../monitoring/monitors/monitor-entities.js'
import { AppError, isAppError } from '../../shared/errors.js'
import type { BuiltinContext, BuiltinResult, BuiltinStep } from '../builtin-step.js'
import { ArgReader, type ArgMode } from './builtin-args.js'
import { describeEvidence, gatherEvidence, rollbackReasons, runMonitors, type BakeEvidence, type CanaryBounds } from './canary-evidence.js'
import { canaryRoutes, isCandidate, restoreRoutes, type Candidate } from './canary-routes.js'

const NAMES = {
  required: ['deployment'],
  optional: ['model', 'version', 'candidate', 'weight', 'steps', 'bake', 'monitor', 'max_error_rate', 'max_p99_ms', 'min_requests'],
}
const DEFAULT_BAKE_MS = 10 * 60_000

interface CanaryArgs {
  readonly deployment: string
  readonly model?: string
  readonly version?: number
  readonly candidate?: string
  /** Canary weights in order, each below 100; promotion to 100% follows the last bake. */
  readonly stages: number[]
  readonly bakeMs: number
  readonly monitors: string[]
  readonly bounds: CanaryBounds
}

function readStages(reader: ArgReader): number[] {
  const steps = reader.numbers('steps')
  const weight = reader.number('weight', { min: 0, max: 100 })
  if (steps && weight !== undefined) reader.fail('steps', 'and weight were both given; give weight for one stage or steps for several')
  const stages = steps ?? [weight ?? 10]
  if (stages.some((w, i) => w <= 0 || w > 100 || (i > 0 && w <= stages[i - 1]!))) reader.fail('steps', `must be increasing percentages from above 0 to 100; got ${stages.join(', ')}`)
  return stages.filter((w) => w < 100)
}

function readArgs(args: Readonly<Record<string, unknown>>, mode: ArgMode): { reader: ArgReader; value: CanaryArgs } {
  const reader = new ArgReader('deploy-canary', args, NAMES, mode)
  const candidate = reader.string('candidate')
  const model = reader.string('model')
  const version = reader.number('version', { min: 1, integer: true })
  if (candidate === undefined && (!reader.has('model') || !reader.has('version'))) reader.problems.push("deploy-canary: give the candidate as model + version, or as candidate: models:/<name>/<version>.")
  if (candidate !== undefined && reader.has('version')) reader.fail('candidate', 'and version were both given; give one')
  const maxP99 = reader.number('max_p99_ms', { min: 0 })
  const value: CanaryArgs = {
    deployment: reader.string('deployment') ?? '',
    stages: readStages(reader),
    bakeMs: reader.duration('bake') ?? DEFAULT_BAKE_MS,
    monitors: reader.strings('monitor') ?? [],
    bounds: { maxErrorRate: reader.number('max_error_rate', { min: 0, max: 1 }) ?? 0.05, minRequests: reader.number('min_requests', { min: 0, integer: true }) ?? 1, ...(maxP99 === undefined ? {} : { maxP99Ms: maxP99 }) },
    ...(candidate ? { candidate } : {}),
    ...(model ? { model } : {}),
    ...(version ? { version } : {}),
  }
  return { reader, value }
}

async function resolveCandidate(context: BuiltinContext, args: CanaryArgs): Promise<Candidate> {
  const registry = context.services.registry
  if (args.candidate) {
    const resolved = await registry.resolveModelUri(args.candidate)
    return { model: resolved.name, version: resolved.version }
  }
  const found = await registry.getModelVersion(args.model, args.version)
  return { model: found.name, version: found.version }
}

async function existing(context: BuiltinContext, name: string): Promise<Deployment | undefined> {
  try {
    return await context.services.deployments.get(name)
  } catch (error) {
    if (isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined
    throw error
  }
}

/** One canary, from the first patch to promotion or rollback. */
class CanaryRun {
  readonly #context: BuiltinContext
  readonly #args: CanaryArgs
  readonly #candidate: Candidate
  readonly #monitors: Monitor[]
  readonly #by: string
  readonly #revisions: { baseline?: number; last?: number } = {}
  readonly evidence: BakeEvidence[] = []

  constructor(context: BuiltinContext, args: CanaryArgs, candidate: Candidate, monitors: Monitor[]) {
    this.#context = context
    this.#args = args
    this.#candidate = candidate
    this.#monitors = monitors
    this.#by = `pipeline:${context.pipeline}`
  }

  /** Bakes every stage; throws GATE_FAILED after rolling back when one is unhealthy. */
  async run(current: Deployment, champion: WeightedRoute[]): Promise<number> {
    if (!current.spec.routes.some((r) => isCandidate(r, this.#candidate))) this.#revisions.baseline = current.revision
    for (const weight of this.#args.stages) {
      await this.#route(canaryRoutes(champion, this.#candidate, weight))
      const start = this.#context.now()
      await this.#bake()
      await runMonitors(this.#context.services, this.#monitors, (line) => this.#context.log(line))
      const e = await gatherEvidence(this.#context.services, { deployment: this.#args.deployment, ...this.#candidate, weight, start, end: this.#context.now(), monitors: this.#monitors })
      this.evidence.push(e)
      this.#context.log(`deploy-canary: ${describeEvidence(e)}`)
      const reasons = rollbackReasons(e, this.#args.bounds)
      if (reasons.length > 0) await this.#rollBack(`the candidate failed its bake at ${weight}%: ${reasons.join('; ')}`)
    }
    return this.#route(canaryRoutes(champion, this.#candidate, 100))
  }

  async #route(routes: WeightedRoute[]): Promise<number> {
    const updated = await this.#context.services.deployments.patch(this.#args.deployment, { routes }, this.#by)
    this.#revisions.last = updated.revision
    this.#context.log(`deploy-canary: ${this.#args.deployment} revision ${updated.revision}: ${routes.map((r) => `${r.model}${r.alias ? `@${r.alias}` : `/${r.version}`} ${r.weight}%`).join(', ')}`)
    return updated.revision
  }

  async #bake(): Promise<void> {
    try {
      await this.#context.sleep(this.#args.bakeMs, this.#context.signal)
      if (this.#context.signal.aborted) throw new AppError('INVALID_STATE', 'deploy-canary: cancelled during the bake.')
    } catch (error) {
      const revision = await restoreRoutes(this.#context.services.deployments, this.#args.deployment, this.#candidate, this.#by, this.#revisions)
      this.#context.log(`deploy-canary: stopped during the bake; routes restored (revision ${revision})`)
      throw error
    }
  }

  async #rollBack(reason: string): Promise<never> {
    const revision = await restoreRoutes(this.#context.services.deployments, this.#args.deployment, this.#candidate, this.#by, this.#revisions)
    this.#context.log(`deploy-canary: rolled back to the previous routes (revision ${revision}): ${reason}`)
    throw new AppError('GATE_FAILED', `Canary of ${this.#candidate.model}/${this.#candidate.version} on '${this.#args.deployment}' rolled back: ${reason}. Evidence: ${this.evidence.map(describeEvidence).join(' | ')}.`, {
      details: { decision: 'rolled_back', revision, evidence: this.evidence },
    })
  }
}

function result(decision: 'promoted', deployment: Deployment | { name: string; revision: number }, candidate: Candidate, evidence: BakeEvidence[], note: string): BuiltinResult {
  const outputs: Record<string, string> = { decision, deployment: deployment.name, revision: String(deployment.revision), model: candidate.model, version: String(candidate.version), note }
  const metrics: Record<string, number> = {}
  evidence.forEach((e, i) => {
    const key = `stage.${i + 1}`
    outputs[`${key}.weight`] = String(e.weight)
    outputs[`${key}.requests`] = String(e.requests)
    outputs[`${key}.error_rate`] = String(e.errorRate)
    outputs[`${key}.p99_ms`] = e.p99Ms === null ? '' : String(e.p99Ms)
    outputs[`${key}.alerts`] = e.alerts.join('; ')
    metrics[`canary.${key}.requests`] = e.requests
    metrics[`canary.${key}.error_rate`] = e.errorRate
    if (e.p99Ms !== null) metrics[`canary.${key}.p99_ms`] = e.p99Ms
  })
  return { outputs, metrics }
}

/** `uses: deploy-canary`: shifts traffic to a candidate in stages and promotes or rolls back on the evidence. */
export function createDeployCanaryStep(): BuiltinStep {
  return {
    name: 'deploy-canary',
    validate: (args) => readArgs(args, 'validate').reader.problems,
    async run(args, context): Promise<BuiltinResult> {
      const { reader, value } = readArgs(args, 'run')
      reader.finish()
      const candidate = await resolveCandidate(context, value)
      // Unknown monitors fail the step before any traffic moves.
      const monitors = await Promise.all(value.monitors.map((m) => context.services.monitors.get(m)))
      const current = await existing(context, value.deployment)
      if (!current) {
        const created = await context.services.deployments.create(value.deployment, { routes: canaryRoutes([], candidate, 100) }, `pipeline:${context.pipeline}`)
        context.log(`deploy-canary: created ${value.deployment} with 100% to ${candidate.model}/${candidate.version}; nothing to compare with`)
        return result('promoted', created, candidate, [], 'created the deployment')
      }
      const champion = current.spec.routes.filter((r) => !isCandidate(r, candidate))
      if (champion.length === 0) return result('promoted', current, candidate, [], 'the deployment already routes 100% to the candidate')
      const canary = new CanaryRun(context, value, candidate, monitors)
      const revision = await canary.run(current, champion)
      return result('promoted', { name: current.name, revision }, candidate, canary.evidence, `promoted after ${canary.evidence.length} bake${canary.evidence.length === 1 ? '' : 's'}`)
    },
  }
}
