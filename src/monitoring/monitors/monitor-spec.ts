/**
 * The monitor spec as users write it (JSON through the API, YAML through the CLI), checked once
 * here. Every refusal is INVALID_PARAMETER_VALUE with `details.field` naming the offending field
 * as a path (`conditions[1].threshold`), which the CLI turns into a YAML line number.
 */
import { AppError } from '../../shared/errors.js'
import { isStatTestName, STAT_TEST_NAMES, type StatTestName } from '../drift/stat-tests.js'
import type { MonitorCondition, MonitorNotifications, MonitorReference, MonitorSchedule, MonitorSpec, MonitorTarget } from './monitor-entities.js'
import { checkCron, formatDuration, parseDuration } from './schedule.js'

export const CONDITION_TYPES = ['drift_share', 'feature_drift', 'performance_drop', 'latency_p99', 'error_rate', 'no_traffic'] as const
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const MAX_WINDOW_MS = 90 * 86_400_000
const MIN_EVERY_MS = 1_000
const MAX_CONDITIONS = 100
const MAX_WEBHOOKS = 20

type Obj = Record<string, unknown>

/** A refusal naming the field; `path` is kept for tools that map it back to a source line. */
export function specError(path: ReadonlyArray<string | number>, message: string): AppError {
  const field = path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '')
  return new AppError('INVALID_PARAMETER_VALUE', `${field || 'monitor'}: ${message}`, { details: { field, path: [...path] } })
}

function object(value: unknown, path: Array<string | number>): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw specError(path, 'must be an object.')
  return value as Obj
}

function only(obj: Obj, path: Array<string | number>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw specError([...path, key], `unknown field; expected one of ${allowed.join(', ')}.`)
  }
}

function str(obj: Obj, key: string, path: Array<string | number>, required = true): string | undefined {
  const value = obj[key]
  if (value === undefined || value === null) {
    if (required) throw specError([...path, key], 'is required.')
    return undefined
  }
  if (typeof value !== 'string' || value.trim() === '') throw specError([...path, key], 'must be a non-empty string.')
  return value.trim()
}

function num(obj: Obj, key: string, path: Array<string | number>, range: { min: number; max?: number; integer?: boolean; required?: boolean }): number | undefined {
  const value = obj[key]
  if (value === undefined || value === null) {
    if (range.required !== false) throw specError([...path, key], 'is required.')
    return undefined
  }
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= range.min && (range.max === undefined || value <= range.max) && (!range.integer || Number.isInteger(value))
  if (!ok) {
    const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`
    throw specError([...path, key], `must be ${range.integer ? 'an integer' : 'a number'} ${bounds}; got ${JSON.stringify(value)}.`)
  }
  return value
}

function duration(obj: Obj, key: string, path: Array<string | number>, min: number, max: number): number {
  const text = str(obj, key, path)!
  const ms = parseDuration(text)
  if (ms === undefined) throw specError([...path, key], `'${text}' is not a duration; write a number and a unit, e.g. 30s, 5m, 1h, 1d.`)
  if (ms < min || ms > max) throw specError([...path, key], `must be from ${formatDuration(min)} to ${formatDuration(max)}; got ${text}.`)
  return ms
}

function target(obj: Obj): MonitorTarget {
  const deployment = str(obj, 'deployment', [], false)
  const model = str(obj, 'model', [], false)
  if ((deployment === undefined) === (model === undefined)) throw specError(['deployment'], 'give exactly one of deployment (a deployment name) or model (name or name@alias).')
  if (deployment !== undefined) return { deployment }
  const [name, alias, extra] = model!.split('@')
  if (!name || alias === '' || extra !== undefined) throw specError(['model'], `'${model}' is not a model; write name or name@alias.`)
  return alias === undefined ? { model: name } : { model: name, alias }
}

function schedule(value: unknown): MonitorSchedule {
  if (typeof value === 'string') {
    checkCron(value.trim(), 'schedule')
    return { cron: value.trim() }
  }
  const obj = object(value, ['schedule'])
  only(obj, ['schedule'], ['cron', 'every'])
  if (obj.every !== undefined) return { everyMs: duration(obj, 'every', ['schedule'], MIN_EVERY_MS, MAX_WINDOW_MS) }
  const cron = str(obj, 'cron', ['schedule'])!
  checkCron(cron, 'schedule.cron')
  return { cron }
}

function time(obj: Obj, key: string, path: Array<string | number>): number {
  const value = obj[key]
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN
  if (!Number.isFinite(ms) || ms < 0) throw specError([...path, key], 'must be a time: an ISO 8601 string (2026-01-31T00:00:00Z) or milliseconds since the epoch.')
  return ms
}

function reference(value: unknown): MonitorReference {
  if (value === undefined || value === 'version') return { kind: 'version' }
  const obj = object(value, ['reference'])
  only(obj, ['reference'], ['uri', 'start', 'end'])
  if (obj.uri !== undefined) {
    if (obj.start !== undefined || obj.end !== undefined) throw specError(['reference'], 'give either uri or start and end, not both.')
    const uri = str(obj, 'uri', ['reference'])!
    if (!uri.toLowerCase().endsWith('.csv')) throw specError(['reference', 'uri'], `'${uri}' must name a CSV file (runs:/<run_id>/path.csv or mlflow-artifacts:/path.csv).`)
    return { kind: 'uri', uri }
  }
  const start = time(obj, 'start', ['reference'])
  const end = time(obj, 'end', ['reference'])
  if (end <= start) throw specError(['reference', 'end'], 'must be after reference.start.')
  return { kind: 'window', start, end }
}

function method(obj: Obj, path: Array<string | number>): StatTestName | undefined {
  const name = str(obj, 'method', path, false)
  if (name !== undefined && !isStatTestName(name)) throw specError([...path, 'method'], `unknown drift method '${name}'; use one of ${STAT_TEST_NAMES.join(', ')}.`)
  return name as StatTestName | undefined
}

const CONDITION_FIELDS: Record<(typeof CONDITION_TYPES)[number], string[]> = {
  drift_share: ['threshold'],
  feature_drift: ['feature', 'method', 'threshold'],
  performance_drop: ['metric', 'max_drop', 'baseline'],
  latency_p99: ['max_ms'],
  error_rate: ['max'],
  no_traffic: ['min_requests'],
}

function condition(value: unknown, index: number, ref: MonitorReference): MonitorCondition {
  const path = ['conditions', index]
  const obj = object(value, path)
  const type = str(obj, 'type', path)!
  if (!(CONDITION_TYPES as readonly string[]).includes(type)) throw specError([...path, 'type'], `unknown condition '${type}'; use one of ${CONDITION_TYPES.join(', ')}.`)
  const kind = type as (typeof CONDITION_TYPES)[number]
  only(obj, path, ['type', 'for', 'severity', ...CONDITION_FIELDS[kind]])
  const base = { for: num(obj, 'for', path, { min: 1, max: 1000, integer: true, required: false }) ?? 1, severity: str(obj, 'severity', path, false) ?? 'warning' }
  switch (kind) {
    case 'drift_share':
      return { ...base, type: kind, threshold: num(obj, 'threshold', path, { min: 0, max: 1, required: false }) ?? 0.5 }
    case 'feature_drift': {
      const threshold = num(obj, 'threshold', path, { min: 0, required: false })
      const m = method(obj, path)
      return { ...base, type: kind, feature: str(obj, 'feature', path)!, ...(m ? { method: m } : {}), ...(threshold !== undefined ? { threshold } : {}) }
    }
    case 'performance_drop': {
      const baseline = num(obj, 'baseline', path, { min: -1e12, required: false })
      if (baseline === undefined && ref.kind !== 'window') {
        throw specError([...path, 'baseline'], 'is required unless reference is a time window (start, end): the drop is measured against the baseline value or the reference window\'s performance.')
      }
      return { ...base, type: kind, metric: str(obj, 'metric', path)!, maxDrop: num(obj, 'max_drop', path, { min: 0 })!, ...(baseline !== undefined ? { baseline } : {}) }
    }
    case 'latency_p99':
      return { ...base, type: kind, maxMs: num(obj, 'max_ms', path, { min: 0 })! }
    case 'error_rate':
      return { ...base, type: kind, max: num(obj, 'max', path, { min: 0, max: 1 })! }
    case 'no_traffic':
      return { ...base, type: kind, minRequests: num(obj, 'min_requests', path, { min: 1, integer: true, required: false }) ?? 1 }
  }
}

/** The key an alert is stored under: one alert per monitor and condition. */
export function conditionKey(condition: MonitorCondition): string {
  switch (condition.type) {
    case 'feature_drift':
      return `feature_drift:${condition.feature}`
    case 'performance_drop':
      return `performance_drop:${condition.metric}`
    default:
      return condition.type
  }
}

function url(obj: Obj, path: Array<string | number>): string {
  const text = str(obj, 'url', path)!
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw specError([...path, 'url'], `'${text}' is not a URL.`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw specError([...path, 'url'], 'must be an http or https URL.')
  return text
}

function notifications(value: unknown): MonitorNotifications {
  if (value === undefined) return { webhooks: [] }
  const obj = object(value, ['notifications'])
  only(obj, ['notifications'], ['webhooks', 'alertmanager'])
  const hooks = obj.webhooks ?? []
  if (!Array.isArray(hooks) || hooks.length > MAX_WEBHOOKS) throw specError(['notifications', 'webhooks'], `must be a list of at most ${MAX_WEBHOOKS} { url, headers }.`)
  const webhooks = hooks.map((hook, i) => {
    const path = ['notifications', 'webhooks', i]
    const h = object(hook, path)
    only(h, path, ['url', 'headers'])
    const headers = h.headers === undefined ? {} : object(h.headers, [...path, 'headers'])
    for (const [name, v] of Object.entries(headers)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw specError([...path, 'headers', name], 'must be a header name with a string value.')
    }
    return { url: url(h, path), headers: headers as Record<string, string> }
  })
  if (obj.alertmanager === undefined) return { webhooks }
  const am = object(obj.alertmanager, ['notifications', 'alertmanager'])
  only(am, ['notifications', 'alertmanager'], ['url'])
  return { webhooks, alertmanager: { url: url(am, ['notifications', 'alertmanager']) } }
}

/** Parses and checks a monitor spec in its wire shape. */
export function parseMonitorSpec(input: unknown): MonitorSpec {
  const obj = object(input, [])
  only(obj, [], ['name', 'deployment', 'model', 'schedule', 'window', 'reference', 'method', 'conditions', 'notifications', 'enabled'])
  const name = str(obj, 'name', [])!
  if (!NAME.test(name)) throw specError(['name'], `'${name}' is not a monitor name; use letters, digits, '.', '_' and '-' (at most 128).`)
  if (obj.schedule === undefined) throw specError(['schedule'], "is required: a cron expression such as '*/5 * * * *', or { every: 5m }.")
  const ref = reference(obj.reference)
  const conditions = obj.conditions
  if (!Array.isArray(conditions) || conditions.length === 0 || conditions.length > MAX_CONDITIONS) {
    throw specError(['conditions'], `must be a list of 1 to ${MAX_CONDITIONS} conditions ({ type: ${CONDITION_TYPES.join(' | ')}, … }).`)
  }
  const parsed = conditions.map((c, i) => condition(c, i, ref))
  const keys = new Set<string>()
  parsed.forEach((c, i) => {
    const key = conditionKey(c)
    if (keys.has(key)) throw specError(['conditions', i], `repeats condition ${key}; each condition (and feature or metric) may appear once.`)
    keys.add(key)
  })
  if (obj.enabled !== undefined && typeof obj.enabled !== 'boolean') throw specError(['enabled'], 'must be true or false.')
  const m = method(obj, [])
  return {
    name,
    target: target(obj),
    schedule: schedule(obj.schedule),
    windowMs: duration(obj, 'window', [], MIN_EVERY_MS, MAX_WINDOW_MS),
    reference: ref,
    ...(m ? { method: m } : {}),
    conditions: parsed,
    notifications: notifications(obj.notifications),
    enabled: obj.enabled !== false,
  }
}

/** The wire shape of a spec, as parseMonitorSpec reads it (so a spec round-trips). */
export function monitorSpecToWire(spec: MonitorSpec): Obj {
  const target = 'deployment' in spec.target ? { deployment: spec.target.deployment } : { model: spec.target.alias ? `${spec.target.model}@${spec.target.alias}` : spec.target.model }
  const ref = spec.reference
  const reference = ref.kind === 'version' ? 'version' : ref.kind === 'uri' ? { uri: ref.uri } : { start: new Date(ref.start).toISOString(), end: new Date(ref.end).toISOString() }
  const conditions = spec.conditions.map((c) => {
    const { type, for: times, severity } = c
    const base = { type, for: times, severity }
    switch (c.type) {
      case 'drift_share':
        return { ...base, threshold: c.threshold }
      case 'feature_drift':
        return { ...base, feature: c.feature, method: c.method, threshold: c.threshold }
      case 'performance_drop':
        return { ...base, metric: c.metric, max_drop: c.maxDrop, baseline: c.baseline }
      case 'latency_p99':
        return { ...base, max_ms: c.maxMs }
      case 'error_rate':
        return { ...base, max: c.max }
      case 'no_traffic':
        return { ...base, min_requests: c.minRequests }
    }
  })
  const am = spec.notifications.alertmanager
  return {
    name: spec.name,
    ...target,
    schedule: 'cron' in spec.schedule ? spec.schedule.cron : { every: formatDuration(spec.schedule.everyMs) },
    window: formatDuration(spec.windowMs),
    reference,
    ...(spec.method ? { method: spec.method } : {}),
    conditions,
    notifications: { webhooks: spec.notifications.webhooks.map((w) => ({ url: w.url, headers: w.headers })), ...(am ? { alertmanager: { url: am.url } } : {}) },
    enabled: spec.enabled,
  }
}
