import { AppError } from '../../shared/errors.js'
import type { ParamMapping } from '../pipeline-spec.js'

/** `${{ trigger.a.b }}` anywhere in a mapped value; spaces inside the braces are allowed. */
const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g
const TRIGGER_PATH = /^trigger((?:\.[A-Za-z0-9_-]+)+)$/

/** One thing wrong with a mapping, named by the run param it maps. */
export interface MappingProblem {
  readonly param: string
  readonly message: string
}

function pathsOf(template: string): Array<{ text: string; path?: string[] }> {
  return [...template.matchAll(EXPRESSION)].map((m) => {
    const match = TRIGGER_PATH.exec(m[1]!)
    return { text: m[1]!, path: match ? match[1]!.slice(1).split('.') : undefined }
  })
}

/**
 * Checks every expression of a mapping. `fields` lists the payload fields the trigger kind
 * exposes; undefined accepts any path (a webhook's body is whatever its sender posts).
 */
export function mappingProblems(mapping: ParamMapping, fields: readonly string[] | undefined): MappingProblem[] {
  const problems: MappingProblem[] = []
  for (const [param, template] of Object.entries(mapping)) {
    for (const { text, path } of pathsOf(template)) {
      if (path === undefined) problems.push({ param, message: `'\${{ ${text} }}' is not a trigger field; write \${{ trigger.FIELD }}` })
      else if (fields !== undefined && !fields.includes(path.join('.'))) problems.push({ param, message: `trigger.${path.join('.')} is not a field of this trigger; use one of ${fields.join(', ')}` })
    }
  }
  return problems
}

/** One error naming every param whose mapping is wrong (`details.fields`), for a 400 or a parse error. */
export function mappingError(problems: readonly MappingProblem[], where: string): AppError {
  const text = problems.map((p) => `params.${p.param}: ${p.message}`).join('; ')
  return new AppError('INVALID_PARAMETER_VALUE', `${where}: ${text}.`, { details: { fields: [...new Set(problems.map((p) => `params.${p.param}`))] } })
}

function lookup(payload: unknown, path: readonly string[]): unknown {
  let value = payload
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/**
 * Run params from a mapping over an event's payload. With `strict`, a path absent from the
 * payload is an error naming the param (a webhook sender can fix its body); without, it maps to
 * '' (a known field that this event lacks, such as the deployment of a model's alert).
 */
export function resolveParams(mapping: ParamMapping, payload: unknown, options: { strict: boolean; where: string }): Record<string, string> {
  const problems: MappingProblem[] = []
  const params: Record<string, string> = {}
  for (const [param, template] of Object.entries(mapping)) {
    params[param] = template.replace(EXPRESSION, (whole, text: string) => {
      const match = TRIGGER_PATH.exec(text)
      if (!match) {
        problems.push({ param, message: `'${whole}' is not a trigger field` })
        return ''
      }
      const path = match[1]!.slice(1).split('.')
      const value = lookup(payload, path)
      if (value === undefined && options.strict) problems.push({ param, message: `the event has no field trigger.${path.join('.')}` })
      return asText(value)
    })
  }
  if (problems.length > 0) throw mappingError(problems, options.where)
  return params
}
