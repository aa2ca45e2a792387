import { AppError } from '../shared/errors.js'
import type { PipelineSpec } from './pipeline-spec.js'

/** A run's params: declared ones only, defaults filled in, every required one given. */
export function launchParams(spec: PipelineSpec, given: Readonly<Record<string, unknown>>): Record<string, string> {
  const unknown = Object.keys(given).filter((k) => !(k in spec.params))
  if (unknown.length > 0) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Pipeline '${spec.name}' has no param${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; declared: ${Object.keys(spec.params).join(', ') || 'none'}.`)
  }
  const out: Record<string, string> = {}
  const missing: string[] = []
  for (const [name, param] of Object.entries(spec.params)) {
    const value = given[name] ?? param.default
    if (value === undefined || value === null) missing.push(name)
    else if (typeof value === 'object') throw new AppError('INVALID_PARAMETER_VALUE', `Param '${name}' must be a string, number or boolean.`)
    else out[name] = String(value)
  }
  if (missing.length > 0) throw new AppError('INVALID_PARAMETER_VALUE', `Pipeline '${spec.name}' needs param${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; pass --param ${missing[0]}=VALUE (or "params" in the API).`)
  return out
}
