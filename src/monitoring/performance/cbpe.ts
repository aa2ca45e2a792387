import { fitCalibration, IDENTITY, type Calibrate } from './calibration.js'

/** Rows of a window with the model's probabilities, labeled or not; classes are keys from `classKey`. */
export interface ScoredRows {
  predicted: readonly string[]
  probabilities: ReadonlyMap<string, readonly number[]>
}

/** CBPE's estimates for one window; a metric is undefined where it cannot be estimated. */
export interface EstimatedMetrics {
  accuracy: number
  precision: number
  recall: number
  f1: number
  roc_auc?: number
  /** Whether isotonic calibration (fitted on the reference) was applied to some class. */
  calibrated: boolean
}

/** Per-class calibrators fitted on a labeled reference, applied to later windows. */
export class CbpeCalibration {
  readonly #byClass: ReadonlyMap<string, Calibrate>
  readonly calibrated: boolean

  private constructor(byClass: ReadonlyMap<string, Calibrate>, calibrated: boolean) {
    this.#byClass = byClass
    this.calibrated = calibrated
  }

  /** No calibration: the model's probabilities are taken as calibrated (used when no reference has labels). */
  static none(): CbpeCalibration {
    return new CbpeCalibration(new Map(), false)
  }

  /**
   * Fits a calibrator per class (one-vs-rest) on labeled reference rows; a class keeps its raw
   * probabilities unless isotonic calibration lowers its expected calibration error
   * (NannyML's rule).
   */
  static fit(actual: readonly string[], probabilities: ReadonlyMap<string, readonly number[]>): CbpeCalibration {
    const byClass = new Map<string, Calibrate>()
    let any = false
    for (const [label, scores] of probabilities) {
      const fitted = fitCalibration(actual.map((a) => (a === label ? 1 : 0)), scores)
      byClass.set(label, fitted.calibrate)
      any ||= fitted.calibrated
    }
    return new CbpeCalibration(byClass, any)
  }

  calibrate(label: string, scores: readonly number[]): number[] {
    const f = this.#byClass.get(label) ?? IDENTITY
    return scores.map(f)
  }
}

interface Estimate {
  accuracy: number
  precision: number
  recall: number
  f1: number
  roc_auc?: number
}

/**
 * Confusion counts expected under calibrated probabilities (NannyML's CBPE): a row predicted
 * positive with calibrated p is p of a true positive and 1 − p of a false positive.
 */
export function estimateBinary(predictedPositive: readonly boolean[], calibrated: readonly number[], raw: readonly number[]): Estimate {
  let tp = 0
  let fp = 0
  let fn = 0
  let tn = 0
  for (let i = 0; i < calibrated.length; i++) {
    const p = calibrated[i]!
    if (predictedPositive[i]) {
      tp += p
      fp += 1 - p
    } else {
      fn += p
      tn += 1 - p
    }
  }
  const n = calibrated.length
  const result: Estimate = {
    accuracy: (tp + tn) / n,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: tp + 0.5 * (fp + fn) === 0 ? 0 : tp / (tp + 0.5 * (fp + fn)),
  }
  const auc = estimateRocAuc(calibrated, raw)
  if (auc !== undefined) result.roc_auc = auc
  return result
}

/**
 * Expected ROC AUC: rows sorted by the raw score, highest first; each contributes its calibrated
 * p to the true-positive count and 1 − p to the false-positive count; the curve is walked at
 * each distinct raw score and its area taken by trapezoids.
 */
export function estimateRocAuc(calibrated: readonly number[], raw: readonly number[]): number | undefined {
  const order = Array.from(raw.keys()).sort((a, b) => raw[b]! - raw[a]!)
  const points: Array<[number, number]> = [[0, 0]]
  let tps = 0
  let fps = 0
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!
    tps += calibrated[i]!
    fps += 1 - calibrated[i]!
    if (k + 1 === order.length || raw[order[k + 1]!] !== raw[i]) points.push([fps, tps])
  }
  if (tps <= 0 || fps <= 0) return undefined
  let area = 0
  for (let k = 1; k < points.length; k++) {
    const [x0, y0] = points[k - 1]!
    const [x1, y1] = points[k]!
    area += ((x1 - x0) * (y0 + y1)) / 2
  }
  return area / (tps * fps)
}

/**
 * CBPE for one window. Binary when `positiveClass` is given (its probability column is the score);
 * otherwise one-vs-rest over every probability column, calibrated rows renormalized to sum to 1,
 * and precision, recall, F1 and ROC AUC macro-averaged; accuracy is the mean calibrated
 * probability of the predicted class.
 */
export function estimatePerformance(rows: ScoredRows, calibration: CbpeCalibration, positiveClass?: string): EstimatedMetrics | undefined {
  const n = rows.predicted.length
  if (n === 0) return undefined
  if (positiveClass !== undefined) {
    const raw = rows.probabilities.get(positiveClass)
    if (!raw) return undefined
    const estimate = estimateBinary(rows.predicted.map((p) => p === positiveClass), calibration.calibrate(positiveClass, raw), raw)
    return { ...estimate, calibrated: calibration.calibrated }
  }
  const labels = [...rows.probabilities.keys()]
  const calibrated = labels.map((l) => calibration.calibrate(l, rows.probabilities.get(l)!))
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (const column of calibrated) sum += column[i]!
    if (sum > 0) for (const column of calibrated) column[i]! /= sum
  }
  let accuracy = 0
  const index = new Map(labels.map((l, k) => [l, k]))
  for (let i = 0; i < n; i++) {
    const k = index.get(rows.predicted[i]!)
    if (k !== undefined) accuracy += calibrated[k]![i]!
  }
  const perClass = labels.map((l, k) => estimateBinary(rows.predicted.map((p) => p === l), calibrated[k]!, rows.probabilities.get(l)!))
  const mean = (pick: (e: Estimate) => number) => perClass.reduce((s, e) => s + pick(e), 0) / perClass.length
  const aucs = perClass.flatMap((e) => (e.roc_auc === undefined ? [] : [e.roc_auc]))
  const result: EstimatedMetrics = { accuracy: accuracy / n, precision: mean((e) => e.precision), recall: mean((e) => e.recall), f1: mean((e) => e.f1), calibrated: calibration.calibrated }
  if (aucs.length > 0) result.roc_auc = aucs.reduce((s, a) => s + a, 0) / aucs.length
  return result
}
