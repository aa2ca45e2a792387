import type { LoggedValue } from '../prediction-log-store.js'
import { CbpeCalibration, estimatePerformance, type EstimatedMetrics } from './cbpe.js'
import { classKey, defaultPositiveClass, sortClassKeys } from './class-labels.js'
import { classificationMetrics, type ClassificationMetrics } from './classification-metrics.js'
import type { OutputLayout, OutputOptions, PerformanceTask } from './output-layout.js'
import { regressionMetrics, type RegressionMetrics } from './regression-metrics.js'
import type { WindowRows } from './window-rows.js'

/** Performance of one time window. */
export interface WindowPerformance {
  startTime: number
  endTime: number
  /** Rows predicted in the window (failed requests left out). */
  predictions: number
  /** Of those, rows with a label. */
  labeled: number
  task: PerformanceTask
  /** Realized metrics over the labeled rows; empty without labels. */
  metrics: Partial<ClassificationMetrics & RegressionMetrics>
  /** CBPE estimates over every row with probabilities; empty for regressors and without probabilities. */
  estimated: Partial<EstimatedMetrics>
}

/** How a classifier's outputs map to classes, settled once for every window so they compare. */
export interface ClassSetup {
  /** Every class seen, sorted: the confusion matrix's rows and columns. */
  classes: string[]
  /** The class of each probability column, or undefined when it cannot be told (probabilities then go unused). */
  probabilityClasses?: string[]
  /** The positive class of a binary task; undefined for multiclass (macro averages). */
  positiveClass?: string
  warnings: string[]
}

function isIntegerKey(k: string): boolean {
  return /^(0|[1-9]\d*)$/.test(k)
}

/**
 * Which class each probability column stands for: as given; else the sorted classes when there
 * are as many as columns (scikit-learn orders `classes_` so); else 0 … k−1 when every class is
 * such an integer. A single column is the positive class's probability.
 */
export function classSetup(windows: readonly WindowRows[], layout: OutputLayout, options: OutputOptions): ClassSetup {
  const seen = new Set<string>()
  for (const w of windows) {
    for (const v of w.predicted) addKey(seen, v)
    for (const v of w.actual) if (v !== undefined) addKey(seen, v)
  }
  const k = layout.probabilityColumns.length
  let probabilityClasses = layout.classes
  const warnings: string[] = []
  if (!probabilityClasses && k >= 2) {
    const sorted = sortClassKeys(seen)
    if (sorted.length === k) probabilityClasses = sorted
    else if (sorted.every((c) => isIntegerKey(c) && Number(c) < k)) probabilityClasses = Array.from({ length: k }, (_, i) => String(i))
    else warnings.push(`Cannot tell which class each of ${layout.probabilityColumns.join(', ')} stands for (classes seen: ${sorted.join(', ')}); pass classes to use the probabilities.`)
  }
  if (!probabilityClasses && k === 1) {
    const positive = options.positiveClass ?? (seen.has('1') || seen.size < 2 ? '1' : defaultPositiveClass(sortClassKeys(seen)))
    probabilityClasses = [positive]
  }
  for (const c of probabilityClasses ?? []) seen.add(c)
  const classes = sortClassKeys(seen)
  const setup: ClassSetup = { classes, warnings }
  if (probabilityClasses) setup.probabilityClasses = probabilityClasses
  const binary = options.positiveClass !== undefined || classes.length <= 2
  if (binary) setup.positiveClass = options.positiveClass ?? defaultPositiveClass(classes.length > 0 ? classes : ['1'])
  return setup
}

function addKey(set: Set<string>, value: LoggedValue): void {
  const key = classKey(value)
  if (key !== undefined) set.add(key)
}

/** Class → probability column over the given rows; undefined if a row lacks one. */
function probabilityMap(w: WindowRows, setup: ClassSetup, rows: readonly number[]): Map<string, number[]> | undefined {
  const classes = setup.probabilityClasses
  if (!classes) return undefined
  const map = new Map<string, number[]>()
  for (let k = 0; k < classes.length; k++) {
    const column = w.probabilities[k]!
    const values = new Array<number>(rows.length)
    for (let j = 0; j < rows.length; j++) {
      const p = column[rows[j]!]
      if (p === null || p === undefined) return undefined
      values[j] = p
    }
    map.set(classes[k]!, values)
  }
  if (classes.length === 1) {
    // One column is the positive class; the rest of the mass is the other class.
    const negative = setup.classes.find((c) => c !== classes[0]) ?? (classes[0] === '0' ? '1' : '0')
    map.set(negative, map.get(classes[0]!)!.map((p) => 1 - p))
  }
  return map
}

/** The predicted class of each row: the logged label, or the most probable class without one. */
function predictedKeys(w: WindowRows, layout: OutputLayout, setup: ClassSetup): Array<string | undefined> {
  if (layout.predictionColumn !== undefined || !setup.probabilityClasses) return w.predicted.map((v) => classKey(v))
  return w.predicted.map((_, i) => {
    let best: number | undefined
    w.probabilities.forEach((column, k) => {
      const p = column[i]
      if (p !== null && p !== undefined && (best === undefined || p > w.probabilities[best]![i]!)) best = k
    })
    return best === undefined ? undefined : setup.probabilityClasses![best]
  })
}

/** The rows (indices) of a window a classifier's metrics can use, realized (labeled) or all. */
function usableRows(predicted: ReadonlyArray<string | undefined>, w: WindowRows, labeledOnly: boolean): number[] {
  const rows: number[] = []
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] === undefined) continue
    if (labeledOnly && classKey(w.actual[i] ?? null) === undefined) continue
    rows.push(i)
  }
  return rows
}

/** Fits CBPE's calibration on every labeled row with probabilities in the reference windows. */
export function fitCbpe(reference: readonly WindowRows[], layout: OutputLayout, setup: ClassSetup): CbpeCalibration {
  const actual: string[] = []
  const columns = new Map<string, number[]>()
  for (const w of reference) {
    const predicted = predictedKeys(w, layout, setup)
    const rows = usableRows(predicted, w, true)
    const map = probabilityMap(w, setup, rows)
    if (!map) continue
    for (const i of rows) actual.push(classKey(w.actual[i]!)!)
    for (const [c, values] of map) columns.set(c, [...(columns.get(c) ?? []), ...values])
  }
  return actual.length === 0 ? CbpeCalibration.none() : CbpeCalibration.fit(actual, columns)
}

export function classificationWindow(w: WindowRows, layout: OutputLayout, setup: ClassSetup, calibration: CbpeCalibration): WindowPerformance {
  const predicted = predictedKeys(w, layout, setup)
  const result: WindowPerformance = { startTime: w.start, endTime: w.end, predictions: w.predictions, labeled: w.labeled, task: 'classification', metrics: {}, estimated: {} }
  const labeled = usableRows(predicted, w, true)
  if (labeled.length > 0) {
    const probabilities = probabilityMap(w, setup, labeled)
    result.metrics = classificationMetrics(
      { actual: labeled.map((i) => classKey(w.actual[i]!)!), predicted: labeled.map((i) => predicted[i]!), ...(probabilities ? { probabilities } : {}) },
      { classes: setup.classes, ...(setup.positiveClass === undefined ? {} : { positiveClass: setup.positiveClass }) },
    )
  }
  const all = usableRows(predicted, w, false)
  const probabilities = all.length > 0 ? probabilityMap(w, setup, all) : undefined
  if (probabilities) {
    const estimated = estimatePerformance({ predicted: all.map((i) => predicted[i]!), probabilities }, calibration, setup.positiveClass)
    if (estimated) result.estimated = estimated
  }
  return result
}

function toNumber(value: LoggedValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

export function regressionWindow(w: WindowRows): WindowPerformance {
  const actual: number[] = []
  const predicted: number[] = []
  for (let i = 0; i < w.predictions; i++) {
    const y = toNumber(w.actual[i])
    const p = toNumber(w.predicted[i])
    if (y === undefined || p === undefined) continue
    actual.push(y)
    predicted.push(p)
  }
  const result: WindowPerformance = { startTime: w.start, endTime: w.end, predictions: w.predictions, labeled: w.labeled, task: 'regression', metrics: {}, estimated: {} }
  if (actual.length > 0) result.metrics = regressionMetrics(actual, predicted)
  return result
}
