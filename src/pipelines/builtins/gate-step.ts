import { AppError } from '../../shared/errors.js'
import type { BuiltinContext, BuiltinResult, BuiltinStep } from '../builtin-step.js'
import { ArgReader, didYouMean, type ArgMode } from './builtin-args.js'
import { evaluateCondition, namesIn, parseCondition, type GateValue } from './gate-expression.js'

const NAMES = { required: ['condition'], optional: ['evaluation'] }
/** What `evaluate` outputs when there was no champion to compare with. */
export const CHAMPION_PRESENT = 'champion.present'

interface GateArgs {
  readonly conditions: string[]
  readonly evaluation?: string
}

interface Verdict {
  readonly condition: string
  readonly passed: boolean
  readonly values: string
  readonly note?: string
}

function readArgs(args: Readonly<Record<string, unknown>>, mode: ArgMode): { reader: ArgReader; value: GateArgs } {
  const reader = new ArgReader('gate', args, NAMES, mode)
  const conditions = Array.isArray(args.condition) ? args.condition.map(String) : reader.has('condition') ? [reader.string('condition') ?? ''] : []
  if (reader.has('condition') && conditions.length === 0) reader.problems.push('gate: condition is an empty list; give at least one condition.')
  for (const condition of conditions) {
    if (mode === 'validate' && condition.includes('${{')) continue
    try {
      parseCondition(condition)
    } catch (error) {
      reader.problems.push(`gate: ${(error as Error).message}`)
    }
  }
  const evaluation = reader.string('evaluation')
  return { reader, value: { conditions, ...(evaluation ? { evaluation } : {}) } }
}

/** The step whose `challenger.*` / `champion.*` outputs the conditions read. */
function evaluationStep(context: BuiltinContext, named: string | undefined): string | undefined {
  const steps = Object.keys(context.steps)
  if (named !== undefined) {
    if (!context.steps[named]) throw new AppError('INVALID_PARAMETER_VALUE', `gate: evaluation step '${named}' has not run before this gate${didYouMean(named, steps)}; finished steps: ${steps.join(', ') || 'none'}.`)
    return named
  }
  const evaluations = steps.filter((s) => Object.keys(context.steps[s]!).some((k) => k.startsWith('challenger.')))
  if (evaluations.length > 1) throw new AppError('INVALID_PARAMETER_VALUE', `gate: steps ${evaluations.join(' and ')} both evaluated a challenger; name the one to read with evaluation: <step>.`)
  return evaluations[0]
}

function parseValue(name: string, raw: string): GateValue {
  if (raw === 'true' || raw === 'false') return raw === 'true'
  const n = raw.trim() === '' ? NaN : Number(raw)
  if (Number.isNaN(n)) throw new AppError('INVALID_PARAMETER_VALUE', `gate: '${name}' is '${raw}', which is not a number or true/false.`)
  return n
}

/** Maps condition names to the earlier steps' outputs. */
class OutputLookup {
  readonly #context: BuiltinContext
  readonly #evaluation: string | undefined

  constructor(context: BuiltinContext, evaluation: string | undefined) {
    this.#context = context
    this.#evaluation = evaluationStep(context, evaluation)
  }

  get championMissing(): boolean {
    return this.#evaluation !== undefined && this.#context.steps[this.#evaluation]![CHAMPION_PRESENT] === 'false'
  }

  value(name: string): GateValue {
    const raw = this.#raw(name)
    if (raw === undefined) {
      const available = this.available()
      throw new AppError('INVALID_PARAMETER_VALUE', `gate: unknown name '${name}'${didYouMean(name, available)}; available names: ${available.join(', ') || 'none (no earlier step has outputs)'}.`)
    }
    return parseValue(name, raw)
  }

  available(): string[] {
    const own = this.#evaluation ? Object.keys(this.#context.steps[this.#evaluation]!) : []
    const qualified = Object.entries(this.#context.steps).flatMap(([step, outputs]) => Object.keys(outputs).map((k) => `steps.${step}.${k}`))
    return [...own, ...qualified]
  }

  #raw(name: string): string | undefined {
    if (name.startsWith('steps.')) {
      const rest = name.slice('steps.'.length)
      const dot = rest.indexOf('.')
      return dot < 0 ? undefined : this.#context.steps[rest.slice(0, dot)]?.[rest.slice(dot + 1)]
    }
    return this.#evaluation === undefined ? undefined : this.#context.steps[this.#evaluation]![name]
  }
}

function judge(condition: string, lookup: OutputLookup): Verdict {
  const tree = parseCondition(condition)
  const names = namesIn(tree)
  if (lookup.championMissing && names.some((n) => n.startsWith('champion.'))) {
    return { condition, passed: true, values: 'no champion', note: 'no champion to compare with (first model): passes' }
  }
  const values = names.map((n) => `${n}=${shown(lookup.value(n))}`).join(', ')
  const result = evaluateCondition(tree, (n) => lookup.value(n))
  return { condition, passed: result === true || (typeof result === 'number' && result !== 0), values }
}

/** Six significant digits: enough to see why a close gate went either way, short enough to read. */
function shown(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value)
}

function describe(v: Verdict): string {
  return `${v.passed ? 'PASS' : 'FAIL'} ${v.condition} (${v.note ?? v.values})`
}

/** `uses: gate`: fails the step unless every condition over earlier steps' outputs holds. */
export function createGateStep(): BuiltinStep {
  return {
    name: 'gate',
    validate: (args) => readArgs(args, 'validate').reader.problems,
    async run(args, context): Promise<BuiltinResult> {
      const { reader, value } = readArgs(args, 'run')
      reader.finish()
      const lookup = new OutputLookup(context, value.evaluation)
      const verdicts = value.conditions.map((c) => judge(c, lookup))
      for (const v of verdicts) context.log(`gate: ${describe(v)}`)
      const failed = verdicts.filter((v) => !v.passed)
      if (failed.length > 0) {
        throw new AppError('GATE_FAILED', `Gate failed: ${failed.length} of ${verdicts.length} condition${verdicts.length === 1 ? '' : 's'} false. ${verdicts.map(describe).join('; ')}.`, {
          details: { conditions: verdicts },
        })
      }
      const outputs: Record<string, string> = { passed: 'true' }
      verdicts.forEach((v, i) => {
        outputs[`condition.${i + 1}`] = v.condition
        outputs[`condition.${i + 1}.values`] = v.note ?? v.values
      })
      return { outputs, metrics: { 'gate.conditions': verdicts.length } }
    },
  }
}
