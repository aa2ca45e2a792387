import { AppError } from '../shared/errors.js'
import { checkKey, checkLength, requireValue } from '../tracking/tracking-limits.js'
import type { KeyValue } from '../tracking/tracking-entities.js'
import { MODEL_STAGES, type ModelStage } from './registry-entities.js'

/** MLflow's registry limits (mlflow/utils/validation.py, model_registry handlers). */
export const REGISTRY_LIMITS = Object.freeze({
  modelNameLength: 256,
  tagValueLength: 5000,
  aliasLength: 255,
  searchModelsDefault: 100,
  searchModelsMax: 1000,
  searchVersionsDefault: 200_000,
  searchVersionsMax: 200_000,
})

function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

export function checkModelName(name: string | undefined, parameter = 'name'): string {
  if (name === undefined || name === null || name === '') {
    throw invalid(`Registered model name cannot be empty. Pass it as '${parameter}'.`)
  }
  return checkLength(name, REGISTRY_LIMITS.modelNameLength, `Registered model name '${name.slice(0, 40)}…'`)
}

/** Versions are strings on the wire ("3"); inside they are positive integers. */
export function parseVersion(version: string | number | undefined): number {
  const text = String(requireValue(version, 'version')).trim()
  const number = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < 1) {
    throw invalid(`Parameter 'version' must be a positive integer, got '${String(version)}'.`)
  }
  return number
}

const ALIAS_PATTERN = /^[\w-]*$/
const VERSION_LIKE = /^[vV]\d+$/

/** MLflow's `_validate_model_alias_name`: word characters and dashes, `latest` and `v3` reserved. */
export function checkAlias(alias: string | undefined): string {
  if (alias === undefined || alias === null || alias === '') {
    throw invalid('Registered model alias name cannot be empty.')
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`)
  }
  checkLength(alias, REGISTRY_LIMITS.aliasLength, 'Registered model alias name')
  if (alias.toLowerCase() === 'latest') {
    throw invalid("'latest' alias name (case insensitive) is reserved: models:/<name>@latest always means the newest version.")
  }
  if (VERSION_LIKE.test(alias)) {
    throw invalid(`Version alias name '${alias}' is reserved: names like v3 read as version numbers.`)
  }
  return alias
}

/** None/Staging/Production/Archived, any case, as MLflow's `get_canonical_stage`. */
export function canonicalStage(stage: string | undefined): ModelStage {
  const given = requireValue(stage, 'stage')
  const found = MODEL_STAGES.find((s) => s.toLowerCase() === given.toLowerCase())
  if (!found) {
    throw invalid(`Invalid Model Version stage: ${given}. Value must be one of ${MODEL_STAGES.join(', ')}.`)
  }
  return found
}

export function checkRegistryTag(tag: Partial<KeyValue>): KeyValue {
  const key = checkKey(tag.key, 'tag')
  if (typeof tag.value !== 'string') throw invalid(`Missing value for required parameter 'value' of tag '${key}'.`)
  checkLength(tag.value, REGISTRY_LIMITS.tagValueLength, `Tag value of tag '${key}'`)
  return { key, value: tag.value }
}

/** MLflow keeps the last value when a key repeats in one request. */
export function checkRegistryTags(tags: Array<Partial<KeyValue>> | undefined): KeyValue[] {
  const byKey = new Map<string, string>()
  for (const tag of tags ?? []) {
    const checked = checkRegistryTag(tag)
    byKey.set(checked.key, checked.value)
  }
  return [...byKey].map(([key, value]) => ({ key, value }))
}
