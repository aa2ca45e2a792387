/**
 * The pure part of a monitor run: window statistics, drift of the window against the reference,
 * and each condition's value. No I/O, so every rule is unit-tested on plain data.
 */
import { detectDrift, type DetectDriftOptions, type DriftFrame, type DriftReport, type RawColumn } from '../drift/detect-drift.js'
import { profileColumns, type DataProfile } from '../profiles/column-profile.js'
import { driftFromProfiles } from '../profiles/profile-drift.js'
import type { LoggedValue } from '../prediction-log-store.js'
import type { ConditionResult, DriftResult, FeatureDrift, MonitorCondition, MonitorSpec, PerformanceValue } from './monitor-entities.js'
import { conditionKey } from './monitor-spec.js'

/** Evidently's dataset-drift share: the dataset drifts when half its columns do. */
const DATASET_DRIFT_SHARE = 0.5
/** Error-like metrics drop when they grow; the rest (accuracy, F1, AUC, R²…) when they shrink. */
const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mse', 'mape', 'log_loss', 'logloss', 'error_rate'])

/**
 * The q-quantile (0..1) with linear interpolation between order statistics, as NumPy's default
 * `percentile` computes it; null for no values.
 */
export function quantile(values: Float64Array, q: number): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

/**
 * Logged values as a drift column: numerical when every present value is a number (integer-typed
 * when all are integers and none is missing, as pandas would infer it), categorical otherwise.
 */
export function toRawColumn(values: readonly LoggedValue[]): RawColumn {
  let numeric = true
  let integer = true
  for (const v of values) {
    if (v === null) integer = false
    else if (typeof v !== 'number') numeric = false
    else if (!Number.isInteger(v)) integer = false
  }
  if (numeric) return { kind: 'numerical', values: Float64Array.from(values, (v) => (v === null ? NaN : (v as number))), integer: integer && values.length > 0 }
  return { kind: 'categorical', values: values.map((v) => (v === null ? null : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))) }
}

export function toDriftFrame(columns: ReadonlyMap<string, readonly LoggedValue[]>): DriftFrame {
  return new Map([...columns].map(([name, values]) => [name, toRawColumn(values)]))
}

/**
 * Drift of every reference column that the window also has, each with the monitor's method or its
 * feature_drift condition's method and threshold. Columns the window lacks are listed, not fatal:
 * a reference with a label column the logs never carry is common.
 */
export function windowDrift(reference: DriftFrame, current: DriftFrame, spec: MonitorSpec): DriftResult {
  return driftByColumn(reference, (name) => current.has(name), (name, ref, options) => detectDrift(new Map([[name, ref]]), new Map([[name, current.get(name)!]]), options), spec)
}

/**
 * Drift of a window too large to keep raw, from its profile: each reference column is profiled
 * too and compared with the sketches (approximate for sketched numeric columns; see profiles/).
 */
export function profileWindowDrift(reference: DriftFrame, current: DataProfile, spec: MonitorSpec): DriftResult {
  return driftByColumn(
    reference,
    (name) => current.columns.has(name),
    (name, ref, options) => driftFromProfiles(profileColumns(new Map([[name, ref]]), { k: current.k }), { ...current, columns: new Map([[name, current.columns.get(name)!]]) }, options),
    spec,
  )
}

type CompareColumn = (name: string, reference: RawColumn, options: DetectDriftOptions) => DriftReport

function driftByColumn(reference: DriftFrame, windowHas: (name: string) => boolean, compare: CompareColumn, spec: MonitorSpec): DriftResult {
  const overrides = new Map<string, { method?: FeatureDrift['method']; threshold?: number }>()
  for (const c of spec.conditions) if (c.type === 'feature_drift') overrides.set(c.feature, { method: c.method, threshold: c.threshold })
  const features: FeatureDrift[] = []
  const missingColumns: string[] = []
  for (const [name, ref] of reference) {
    if (!windowHas(name)) {
      missingColumns.push(name)
      continue
    }
    const override = overrides.get(name)
    const method = override?.method ?? spec.method
    const report = compare(name, ref, { ...(method ? { method } : {}), ...(override?.threshold !== undefined ? { threshold: override.threshold } : {}) })
    const c = report.columns[0]!
    features.push({ feature: name, type: c.type, method: c.test, score: Number.isFinite(c.score) ? c.score : null, threshold: c.threshold, drift: c.drift, droppedReference: c.dropped_reference, droppedCurrent: c.dropped_current })
  }
  const drifted = features.filter((f) => f.drift).length
  const share = features.length === 0 ? 0 : drifted / features.length
  return { features, drifted, share, datasetDrift: features.length > 0 && share >= DATASET_DRIFT_SHARE, missingColumns }
}

/** What conditions are judged on: the run's results so far, and performance per metric. */
export interface EvaluationInput {
  readonly requests: number
  readonly errorRate: number
  readonly latencyP99Ms: number | null
  readonly drift: DriftResult | null
  readonly driftNote?: string
  /** Current performance by metric. */
  readonly performance: Readonly<Record<string, PerformanceValue>>
  /** Baseline performance by metric (the reference window's), when measured. */
  readonly baseline: Readonly<Record<string, PerformanceValue>>
}

const pick = (p: PerformanceValue | undefined): number | undefined => p?.realized ?? p?.estimated

function result(condition: MonitorCondition, value: number | null, holds: boolean, note?: string): ConditionResult {
  return { key: conditionKey(condition), type: condition.type, value, holds: value !== null && holds, ...(value === null && note ? { note } : {}) }
}

/** One condition's value in this run and whether it holds; no data never holds. */
export function evaluateCondition(condition: MonitorCondition, input: EvaluationInput): ConditionResult {
  const noTraffic = 'no requests in the window'
  switch (condition.type) {
    case 'drift_share': {
      const share = input.drift && input.drift.features.length > 0 ? input.drift.share : null
      return result(condition, share, share !== null && share >= condition.threshold, input.driftNote ?? 'no feature could be compared')
    }
    case 'feature_drift': {
      const feature = input.drift?.features.find((f) => f.feature === condition.feature)
      const note = input.drift && !feature ? `feature '${condition.feature}' is not in both the reference and the window` : (input.driftNote ?? 'no drift computed')
      return result(condition, feature ? feature.score : null, feature?.drift === true, note)
    }
    case 'performance_drop': {
      const current = pick(input.performance[condition.metric])
      const baseline = condition.baseline ?? pick(input.baseline[condition.metric])
      if (current === undefined || baseline === undefined) return result(condition, null, false, `no ${current === undefined ? 'current' : 'baseline'} ${condition.metric} (no performance source, or no labels or probabilities)`)
      const drop = LOWER_IS_BETTER.has(condition.metric.toLowerCase()) ? current - baseline : baseline - current
      return result(condition, drop, drop > condition.maxDrop)
    }
    case 'latency_p99':
      return result(condition, input.latencyP99Ms, input.latencyP99Ms !== null && input.latencyP99Ms > condition.maxMs, noTraffic)
    case 'error_rate':
      return result(condition, input.requests > 0 ? input.errorRate : null, input.errorRate > condition.max, noTraffic)
    case 'no_traffic':
      return result(condition, input.requests, input.requests < condition.minRequests)
  }
}

export function evaluateConditions(spec: MonitorSpec, input: EvaluationInput): ConditionResult[] {
  return spec.conditions.map((c) => evaluateCondition(c, input))
}
