import { OnnxInferenceEngine } from '../../serving/onnx/onnx-inference-engine.js'
import type { InferenceEngine } from '../../serving/inference-engine.js'
import { AppError, isAppError } from '../../shared/errors.js'
import type { BuiltinContext, BuiltinResult, BuiltinStep } from '../builtin-step.js'
import { ArgReader, type ArgMode } from './builtin-args.js'
import { evaluationMetrics } from './evaluation-metrics.js'
import { parseModelUri } from '../../registry/model-uri.js'
import { CHAMPION_PRESENT } from './gate-step.js'
import { loadModelBytes, readHoldout, scoreModel, type Holdout, type LoadedBytes } from './model-scoring.js'

const NAMES = { required: ['candidate', 'data', 'target'], optional: ['champion', 'features', 'task', 'threshold'] }
const TASKS = ['classification', 'regression'] as const

interface EvaluateArgs {
  readonly candidate: string
  readonly champion?: string
  readonly data: string
  readonly target: string
  readonly features?: string[]
  readonly task?: (typeof TASKS)[number]
  readonly threshold: number
}

function readArgs(args: Readonly<Record<string, unknown>>, mode: ArgMode): { reader: ArgReader; value: EvaluateArgs } {
  const reader = new ArgReader('evaluate', args, NAMES, mode)
  const task = reader.string('task')
  if (task !== undefined && !reader.deferred('task') && !TASKS.includes(task as never)) reader.fail('task', `must be classification or regression; got '${task}'`)
  const features = reader.strings('features')
  const champion = reader.string('champion')
  const value: EvaluateArgs = {
    candidate: reader.string('candidate') ?? '',
    data: reader.string('data') ?? '',
    target: reader.string('target') ?? '',
    threshold: reader.number('threshold', { min: 0, max: 1 }) ?? 0.5,
    ...(champion ? { champion } : {}),
    ...(features ? { features } : {}),
    ...(task ? { task: task as EvaluateArgs['task'] } : {}),
  }
  return { reader, value }
}

/**
 * The champion's bytes, or undefined on a first run: no champion named, its alias not set yet, or
 * the model not registered yet. Anything else (a bad URI, a missing file) still fails the step.
 */
async function championBytes(context: BuiltinContext, uri: string | undefined): Promise<LoadedBytes | undefined> {
  if (uri === undefined) return undefined
  const missing = await missingChampion(context, uri)
  if (missing) {
    context.log(`evaluate: no champion at ${uri} (${missing}); the candidate is the first model`)
    return undefined
  }
  return loadModelBytes(context.services, uri)
}

/** Why a `models:/` champion does not exist yet (no such model, alias not set), asked of the registry, not read from an error message. */
async function missingChampion(context: BuiltinContext, uri: string): Promise<string | undefined> {
  if (!uri.startsWith('models:')) return undefined
  const reference = parseModelUri(uri)
  let model
  try {
    model = await context.services.registry.getRegisteredModel(reference.name)
  } catch (error) {
    if (isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return `model '${reference.name}' is not registered`
    throw error
  }
  if ('alias' in reference && !model.aliases.some((a) => a.alias === reference.alias)) return `alias '${reference.alias}' is not set`
  return undefined
}

async function scoreOne(engine: InferenceEngine, model: LoadedBytes, holdout: Holdout, args: EvaluateArgs, context: BuiltinContext) {
  const scored = await scoreModel(engine, model, holdout, context.signal)
  return evaluationMetrics(scored, holdout.target, { threshold: args.threshold, ...(args.task ? { task: args.task } : {}) })
}

function publish(into: { outputs: Record<string, string>; metrics: Record<string, number> }, role: 'challenger' | 'champion', metrics: Record<string, number>): void {
  for (const [key, value] of Object.entries(metrics)) {
    into.outputs[`${role}.${key}`] = String(value)
    into.metrics[`${role}.${key}`] = value
  }
}

/** `uses: evaluate`: scores the candidate and the champion on the same holdout rows. */
export function createEvaluateStep(engine: InferenceEngine = new OnnxInferenceEngine()): BuiltinStep {
  return {
    name: 'evaluate',
    validate: (args) => readArgs(args, 'validate').reader.problems,
    async run(args, context): Promise<BuiltinResult> {
      const { reader, value } = readArgs(args, 'run')
      reader.finish()
      const holdout = await readHoldout(value.data, value.target, value.features)
      const candidate = await loadModelBytes(context.services, value.candidate)
      const champion = await championBytes(context, value.champion)
      const result = { outputs: {} as Record<string, string>, metrics: {} as Record<string, number> }
      const challenger = await scoreOne(engine, candidate, holdout, value, context)
      publish(result, 'challenger', challenger.metrics)
      result.outputs.task = challenger.task
      result.outputs['challenger.model'] = candidate.label
      result.outputs[CHAMPION_PRESENT] = String(champion !== undefined)
      if (champion) {
        const scored = await scoreOne(engine, champion, holdout, value, context)
        if (scored.task !== challenger.task) throw new AppError('INVALID_PARAMETER_VALUE', `evaluate: the candidate looks like ${challenger.task} and the champion like ${scored.task}; set task: to compare them.`)
        publish(result, 'champion', scored.metrics)
        result.outputs['champion.model'] = champion.label
      }
      context.log(`evaluate: ${holdout.rows.length} rows, ${challenger.task}; challenger ${summary(challenger.metrics)}${champion ? `; champion ${summary(result.metrics, 'champion.')}` : '; no champion'}`)
      return result
    },
  }
}

function summary(metrics: Record<string, number>, prefix = ''): string {
  const keys = ['accuracy', 'f1', 'roc_auc', 'rmse', 'r2', 'latency_p99_ms']
  return keys.filter((k) => metrics[prefix + k] !== undefined).map((k) => `${k}=${Number(metrics[prefix + k]!.toPrecision(4))}`).join(' ')
}
