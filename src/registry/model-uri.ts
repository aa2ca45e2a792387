import { AppError } from '../shared/errors.js'
import { MODEL_STAGES, type ModelStage } from './registry-entities.js'

/** What a `models:/` URI names: a version, an alias, the newest version in a stage, or the newest. */
export type ModelReference =
  | { name: string; version: number }
  | { name: string; alias: string }
  | { name: string; stage: ModelStage }
  | { name: string; latest: true }

function invalid(uri: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', `Invalid model URI '${uri}': write models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage> or models:/<name>/latest.`)
}

/**
 * Parses MLflow's model URIs. A name may itself contain '/', so the reference is what follows
 * the last '@' (an alias) or else the last '/'.
 * @throws AppError INVALID_PARAMETER_VALUE for anything else.
 */
export function parseModelUri(uri: string): ModelReference {
  const match = /^models:\/(?!\/)(.+)$/.exec(uri)
  if (!match) throw invalid(uri)
  const body = match[1]!
  const at = body.lastIndexOf('@')
  if (at > 0) {
    const alias = body.slice(at + 1)
    if (alias === '' || alias.includes('/')) throw invalid(uri)
    return { name: body.slice(0, at), alias }
  }
  const slash = body.lastIndexOf('/')
  if (slash <= 0 || slash === body.length - 1) throw invalid(uri)
  const name = body.slice(0, slash)
  const ref = body.slice(slash + 1)
  if (/^\d+$/.test(ref) && Number(ref) > 0) return { name, version: Number(ref) }
  if (ref.toLowerCase() === 'latest') return { name, latest: true }
  const stage = MODEL_STAGES.find((s) => s.toLowerCase() === ref.toLowerCase())
  if (stage) return { name, stage }
  throw invalid(uri)
}

/** The URI of one version: `models:/churn/3`. */
export function versionUri(name: string, version: number): string {
  return `models:/${name}/${version}`
}
