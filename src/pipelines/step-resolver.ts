import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { AppError } from '../shared/errors.js'
import { type ExpressionRef, findExpressions, soleExpression, substitute } from './pipeline-expressions.js'
import type { StepAction, StepSpec } from './pipeline-spec.js'
import { stepStrings } from './pipeline-graph.js'

/** What finished steps made, readable by later steps' expressions. */
export interface StepOutputs {
  readonly params: Readonly<Record<string, string>>
  readonly artifacts: Readonly<Record<string, string>>
}

export interface ResolveContext {
  readonly params: Readonly<Record<string, string>>
  readonly outputs: ReadonlyMap<string, StepOutputs>
  /** The pipeline's `env`, under the step's own. */
  readonly pipelineEnv: Readonly<Record<string, string>>
  readonly baseDir: string
  /** Where `{env: NAME}` secrets are read (the runner's environment). */
  readonly secretEnv: NodeJS.ProcessEnv
}

export type ResolvedAction =
  | { readonly kind: 'command'; readonly command: { shell: string } | { argv: string[] }; readonly image?: string; readonly workingDir?: string }
  | { readonly kind: 'builtin'; readonly uses: string; readonly with: Record<string, unknown> }

export interface ResolvedStep {
  readonly action: ResolvedAction
  /** Non-secret environment. */
  readonly env: Record<string, string>
  /** Secret name -> value; never persisted, never hashed. */
  readonly secrets: Record<string, string>
  /** Input name -> URI or path. */
  readonly inputs: Record<string, string>
  /** Params the step refers to, with their values (for the cache key and the step's MLflow run). */
  readonly paramsUsed: Record<string, string>
}

/** Substitutes params and earlier steps' outputs into a step at the moment it starts. */
export async function resolveStep(step: StepSpec, context: ResolveContext): Promise<ResolvedStep> {
  const lookup = (ref: ExpressionRef): string | undefined => {
    if (ref.scope === 'params') return context.params[ref.name]
    if (ref.scope !== 'steps') return undefined
    const out = context.outputs.get(ref.step)
    const value = out?.params[ref.output] ?? out?.artifacts[ref.output]
    if (value === undefined) throw new AppError('INVALID_STATE', `Step '${step.name}' needs steps.${ref.step}.outputs.${ref.output}, which step '${ref.step}' did not produce.`)
    return value
  }
  const fill = (text: string) => substitute(text, lookup)
  const inputs = Object.fromEntries(Object.entries(step.inputs).map(([name, text]) => [name, inputValue(text, fill, context.baseDir)]))
  const env = Object.fromEntries(Object.entries({ ...context.pipelineEnv, ...step.env }).map(([k, v]) => [k, fill(v)]))
  // A built-in runs in this process, not in the pipeline's folder: its `inputs.NAME` is the input's
  // path resolved against that folder (or its URI), so `data: ${{ inputs.holdout }}` works wherever the server runs.
  const fillWith = (text: string) => substitute(text, (ref) => (ref.scope === 'inputs' ? inputs[ref.name] : lookup(ref)))
  return { action: resolveAction(step.action, fill, fillWith), env, secrets: await readSecrets(step, context), inputs, paramsUsed: paramsUsed(step, context.params) }
}

function inputValue(text: string, fill: (t: string) => string, baseDir: string): string {
  const value = fill(text)
  const ref = soleExpression(text)
  if (ref?.scope === 'steps' || /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(value)) return value
  return isAbsolute(value) ? value : resolve(baseDir, value)
}

function resolveAction(action: StepAction, fill: (t: string) => string, fillWith: (t: string) => string): ResolvedAction {
  if (action.kind === 'builtin') return { kind: 'builtin', uses: action.uses, with: deepFill(action.with, fillWith) as Record<string, unknown> }
  if (action.kind === 'image') return { kind: 'command', image: action.image, command: { argv: action.argv.map(fill) } }
  const command = action.shell !== undefined ? { shell: fill(action.shell) } : { argv: (action.argv ?? []).map(fill) }
  return { kind: 'command', command, ...(action.workingDir ? { workingDir: action.workingDir } : {}) }
}

function deepFill(value: unknown, fill: (t: string) => string): unknown {
  if (typeof value === 'string') return fill(value)
  if (Array.isArray(value)) return value.map((v) => deepFill(v, fill))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepFill(v, fill)]))
  return value
}

async function readSecrets(step: StepSpec, context: ResolveContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const [name, ref] of Object.entries(step.secrets)) {
    if ('fromEnv' in ref) {
      const value = context.secretEnv[ref.fromEnv]
      if (value === undefined) throw new AppError('INVALID_STATE', `Secret ${name} of step '${step.name}' reads environment variable ${ref.fromEnv}, which is not set where the pipeline runs; set it there.`)
      out[name] = value
    } else {
      const file = isAbsolute(ref.fromFile) ? ref.fromFile : resolve(context.baseDir, ref.fromFile)
      out[name] = (await readFile(file, 'utf8').catch(() => {
        throw new AppError('INVALID_STATE', `Secret ${name} of step '${step.name}' reads ${file}, which cannot be read.`)
      })).replace(/\r?\n$/, '')
    }
  }
  return out
}

function paramsUsed(step: StepSpec, params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const text of stepStrings(step)) {
    for (const found of findExpressions(text)) if (found.ref?.scope === 'params' && params[found.ref.name] !== undefined) out[found.ref.name] = params[found.ref.name]!
  }
  return out
}
