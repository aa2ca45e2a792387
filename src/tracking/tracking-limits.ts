import { AppError } from '../shared/errors.js'
import type { KeyValue, Metric } from './tracking-entities.js'

/** MLflow's enforced limits (mlflow/utils/validation.py), so clients see the same refusals. */
export const LIMITS = Object.freeze({
  keyLength: 250,
  paramValueLength: 6000,
  runTagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  runNameLength: 250,
  // The runs.user_id column is varchar(256): PostgreSQL refuses longer values, SQLite stored them.
  userIdLength: 256,
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  datasetsPerBatch: 1000,
  datasetNameLength: 500,
  datasetDigestLength: 36,
  datasetSchemaLength: 1_048_575,
  datasetSourceLength: 65_535,
  datasetProfileLength: 16_777_215,
  inputTagKeyLength: 255,
  inputTagValueLength: 500,
  searchRunsMaxResults: 50_000,
  searchRunsDefault: 1000,
  searchExperimentsMaxResults: 50_000,
  searchExperimentsDefault: 1000,
  metricHistoryPage: 25_000,
  bulkHistoryRuns: 100,
  bulkHistoryMaxResults: 10_000,
  bulkHistoryDefault: 320,
})

const NAME_PATTERN = /^[/\w.\- ]*$/

function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

export function requireValue<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null || value === '') {
    throw invalid(
      `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
    )
  }
  return value
}

/** Metric, param and tag names: MLflow's character set, no path tricks, at most 250 chars. */
export function checkKey(key: unknown, entity: 'metric' | 'param' | 'tag'): string {
  if (typeof key !== 'string' || key === '') {
    throw invalid(`Missing value for required parameter 'key' of a ${entity}.`)
  }
  if (key.length > LIMITS.keyLength) {
    throw invalid(`${capital(entity)} name '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${LIMITS.keyLength}.`)
  }
  if (!NAME_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.startsWith('/')) {
    throw invalid(
      `Invalid ${entity} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/), and must not be a relative or absolute path.`,
    )
  }
  return key
}

export function checkLength(value: string, limit: number, what: string): string {
  if (value.length > limit) {
    throw invalid(`${what} had length ${value.length}, which exceeded length limit of ${limit}. Shorten it and retry.`)
  }
  return value
}

export function checkParam(param: KeyValue): KeyValue {
  const key = checkKey(param.key, 'param')
  if (typeof param.value !== 'string') throw invalid(`Param '${key}' needs a string value.`)
  checkLength(param.value, LIMITS.paramValueLength, `Param value '${param.value.slice(0, 40)}…' of param '${key}'`)
  return { key, value: param.value }
}

export function checkRunTag(tag: KeyValue): KeyValue {
  const key = checkKey(tag.key, 'tag')
  if (typeof tag.value !== 'string') throw invalid(`Tag '${key}' needs a string value.`)
  checkLength(tag.value, LIMITS.runTagValueLength, `Tag value of tag '${key}'`)
  return { key, value: tag.value }
}

/**
 * A batch repeats a few keys over many points, so keys already found valid (in `validKeys`,
 * which this fills) are not checked again.
 */
export function checkMetric(metric: Metric, validKeys: Set<string> = new Set()): Metric {
  const key = validKeys.has(metric.key) ? metric.key : checkKey(metric.key, 'metric')
  validKeys.add(key)
  if (typeof metric.value !== 'number') {
    throw invalid(`Got invalid value ${String(metric.value)} for metric '${key}' (timestamp=${metric.timestamp}). Please specify value as a valid double (64-bit floating point)`)
  }
  if (!Number.isSafeInteger(metric.timestamp) || metric.timestamp < 0) {
    throw invalid(`Got invalid timestamp ${String(metric.timestamp)} for metric '${key}' (value=${metric.value}). Timestamp must be a nonnegative long (64-bit integer) in milliseconds.`)
  }
  if (!Number.isSafeInteger(metric.step)) {
    throw invalid(`Got invalid step ${String(metric.step)} for metric '${key}' (value=${metric.value}). Step must be a valid long (64-bit integer).`)
  }
  return { key, value: metric.value, timestamp: metric.timestamp, step: metric.step }
}

/** A run's start or end time: a whole number of ms (protobuf JSON lets "-Infinity" through as int64). */
export function checkTime(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !Number.isSafeInteger(value)) {
    throw invalid(`Invalid value ${String(value)} for parameter '${name}' supplied: it must be a whole number of milliseconds since the epoch.`)
  }
  return value
}

export function checkBatchSize(metrics: number, params: number, tags: number): void {
  const over = (n: number, limit: number, entity: string) => {
    if (n > limit) {
      throw invalid(
        `A batch logging request can contain at most ${limit} ${entity}. Got ${n} ${entity}. Please split up ${entity} across multiple requests and try again.`,
      )
    }
  }
  over(metrics, LIMITS.metricsPerBatch, 'metrics')
  over(params, LIMITS.paramsPerBatch, 'params')
  over(tags, LIMITS.tagsPerBatch, 'tags')
  over(metrics + params + tags, LIMITS.entitiesPerBatch, 'metrics, params, and tags')
}

export function checkMaxResults(value: number | undefined, fallback: number, max: number, what: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`Invalid value ${value} for parameter 'max_results' supplied. It must be at most ${max} and at least 1 for ${what}.`)
  }
  return value
}

function capital(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1)
}
