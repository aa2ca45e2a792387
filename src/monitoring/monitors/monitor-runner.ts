import { AppError, isAppError } from '../../shared/errors.js'
import type { DriftFrame } from '../drift/detect-drift.js'
import type { MonitorDataSource, PerformanceSource, ReferenceSource, ResolvedTarget, WindowQuery } from './monitor-data-source.js'
import type { DriftResult, MonitorRunResults, MonitorSpec, PerformanceValue } from './monitor-entities.js'
import { evaluateConditions, profileWindowDrift, quantile, toDriftFrame, windowDrift } from './monitor-evaluation.js'

/** Reference windows already read, by target and range: the logs of a past window do not change. */
export type ReferenceWindowCache = Map<string, { frame: DriftFrame; at: number }>
const WINDOW_CACHE_MS = 10 * 60_000
const WINDOW_CACHE_ENTRIES = 16

export interface RunnerSources {
  /** Undefined when this server does not log predictions: every run then fails saying so. */
  readonly data?: MonitorDataSource
  readonly performance?: PerformanceSource
  readonly references: ReferenceSource
  readonly referenceWindows?: ReferenceWindowCache
}

function windowQuery(target: ResolvedTarget, start: number, end: number): WindowQuery {
  return target.deployment !== undefined ? { deployment: target.deployment, start, end } : { model: target.model, start, end }
}

/** A reference problem is the monitor's configuration, reported in the run, not a crash. */
function explain(error: unknown): string {
  if (isAppError(error) && error.code !== 'INTERNAL_ERROR') return error.message
  throw error
}

/**
 * One run of a monitor at `now`: reads the window of logs ending now, compares it with the
 * reference, asks for performance, and evaluates every condition. Throws when the target is gone
 * or there is no data source (the run is then recorded as failed).
 */
export async function runMonitor(spec: MonitorSpec, now: number, sources: RunnerSources): Promise<MonitorRunResults> {
  if (!sources.data) throw new AppError('INVALID_STATE', 'Prediction logging is not enabled on this server, so monitors have no data to read; enable prediction logs.')
  const target = await sources.references.resolve(spec.target)
  const start = now - spec.windowMs
  const query = windowQuery(target, start, now)
  const window = await sources.data.window(query)
  const latencyP50Ms = quantile(window.latenciesMs, 0.5)
  const latencyP99Ms = quantile(window.latenciesMs, 0.99)
  const errorRate = window.requests === 0 ? 0 : window.errors / window.requests

  let drift: DriftResult | null = null
  let driftNote: string | undefined
  if (window.rows === 0) driftNote = 'no successful requests with logged values in the window'
  else {
    const reference = await loadReference(spec, target, sources).catch((e: unknown) => explain(e))
    if (typeof reference === 'string') driftNote = reference
    else if (reference.size === 0) driftNote = 'the reference window has no logged rows'
    else {
      drift = window.profile ? profileWindowDrift(reference, window.profile, spec) : windowDrift(reference, toDriftFrame(window.columns), spec)
      if (drift.features.length === 0) driftNote = `no reference column (${[...reference.keys()].slice(0, 5).join(', ')}) is among the logged columns (${[...window.columns.keys()].slice(0, 5).join(', ')})`
    }
  }

  const performance: Record<string, PerformanceValue> = {}
  const baseline: Record<string, PerformanceValue> = {}
  for (const c of spec.conditions) {
    if (c.type !== 'performance_drop' || !sources.performance) continue
    const current = await sources.performance.performance(query, c.metric)
    if (current) performance[c.metric] = current
    if (c.baseline === undefined && spec.reference.kind === 'window') {
      const base = await sources.performance.performance(windowQuery(target, spec.reference.start, spec.reference.end), c.metric)
      if (base) baseline[c.metric] = base
    }
  }
  const conditions = evaluateConditions(spec, { requests: window.requests, errorRate, latencyP99Ms, drift, ...(driftNote ? { driftNote } : {}), performance, baseline })
  return {
    windowStart: start,
    windowEnd: now,
    ...(target.deployment !== undefined ? { deployment: target.deployment } : {}),
    model: target.model,
    requests: window.requests,
    rows: window.rows,
    errors: window.errors,
    errorRate,
    latencyP50Ms,
    latencyP99Ms,
    drift,
    ...(driftNote ? { driftNote } : {}),
    performance,
    conditions,
  }
}

async function loadReference(spec: MonitorSpec, target: ResolvedTarget, sources: RunnerSources): Promise<DriftFrame> {
  const ref = spec.reference
  if (ref.kind !== 'window') return sources.references.load(ref, target)
  const key = `${target.deployment ?? ''}|${target.model}|${ref.start}|${ref.end}`
  const cache = sources.referenceWindows
  const hit = cache?.get(key)
  if (hit && Date.now() - hit.at < WINDOW_CACHE_MS) return hit.frame
  // A window still open (ending in the future) keeps filling, so it is not cached.
  const frame = toDriftFrame((await sources.data!.window(windowQuery(target, ref.start, ref.end))).columns)
  if (cache && ref.end <= Date.now()) {
    cache.set(key, { frame, at: Date.now() })
    if (cache.size > WINDOW_CACHE_ENTRIES) cache.delete(cache.keys().next().value!)
  }
  return frame
}
