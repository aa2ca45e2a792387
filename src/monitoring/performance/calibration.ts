import { IsotonicCalibrator, sortedOrder } from './isotonic.js'
import { rocAucBinary } from './roc-auc.js'

/** Maps a raw probability to a calibrated one. */
export type Calibrate = (score: number) => number

export const IDENTITY: Calibrate = (score) => score

/**
 * Equal-count bins over n sorted rows, as NannyML's `_get_bin_index_edges`: `binCount` bins, or
 * n/2 when there are too few rows for that, or one bin below 4 rows.
 */
export function binIndexEdges(n: number, binCount: number): Array<[number, number]> {
  let bins = binCount
  if (n <= 2 * bins) {
    bins = Math.floor(n / 2)
    if (bins < 2) return [[0, n]]
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => Math.trunc((k * n) / bins))
  return edges.slice(0, -1).map((start, k) => [start, edges[k + 1]!])
}

/** Expected calibration error over equal-count bins of the sorted probabilities. */
export function expectedCalibrationError(outcomes: readonly number[], probabilities: readonly number[], binCount = 10): number {
  const n = outcomes.length
  const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[a]! - probabilities[b]!)
  let ece = 0
  for (const [start, end] of binIndexEdges(n, binCount)) {
    if (end <= start) continue
    let y = 0
    let p = 0
    for (let k = start; k < end; k++) {
      y += outcomes[order[k]!]!
      p += probabilities[order[k]!]!
    }
    ece += (Math.abs(y - p) / (end - start)) * ((end - start) / n)
  }
  return ece
}

/**
 * Stratified shuffle splits (10% held out per class), seeded so the decision replays. NannyML
 * uses scikit-learn's StratifiedShuffleSplit with random_state=42; the folds differ but play the
 * same part.
 */
function stratifiedTestFolds(outcomes: readonly number[], folds: number, seed: number): number[][] {
  // A 32-bit LCG (Numerical Recipes constants): plenty for shuffling folds, and no dependency.
  let state = seed >>> 0
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296
  const byClass = [0, 1].map((c) => outcomes.flatMap((y, i) => (y === c ? [i] : [])))
  return Array.from({ length: folds }, () =>
    byClass.flatMap((members) => {
      const take = Math.max(1, Math.round(members.length * 0.1))
      const shuffled = [...members]
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
      }
      return shuffled.slice(0, Math.min(take, Math.max(0, members.length - 1)))
    }),
  )
}

/**
 * Whether isotonic calibration lowers the expected calibration error out of fold, NannyML's
 * `needs_calibration`: never for a single class or a reference ROC AUC above 0.999 (nothing to
 * fix); otherwise calibrators are fitted on 10 training folds, and calibration is used iff the
 * pooled held-out ECE drops.
 */
export function needsCalibration(outcomes: readonly number[], probabilities: readonly number[]): boolean {
  const auc = rocAucBinary(outcomes.map((y) => y === 1), probabilities)
  if (auc === undefined || auc > 0.999) return false
  const heldY: number[] = []
  const heldRaw: number[] = []
  const heldCalibrated: number[] = []
  const order = sortedOrder(probabilities, outcomes)
  const inTest = new Uint8Array(outcomes.length)
  for (const test of stratifiedTestFolds(outcomes, 10, 42)) {
    inTest.fill(0)
    for (const i of test) inTest[i] = 1
    const train = order.filter((i) => inTest[i] === 0)
    if (test.length === 0 || train.length === 0) continue
    const calibrator = IsotonicCalibrator.fromSorted(
      Array.from(train, (i) => probabilities[i]!),
      Array.from(train, (i) => outcomes[i]!),
    )
    for (const i of test) {
      heldY.push(outcomes[i]!)
      heldRaw.push(probabilities[i]!)
      heldCalibrated.push(calibrator.predict(probabilities[i]!))
    }
  }
  if (heldY.length === 0) return false
  return expectedCalibrationError(heldY, heldCalibrated) < expectedCalibrationError(heldY, heldRaw)
}

/** The calibration CBPE applies to one class's probabilities: isotonic when it helps on the reference, else none. */
export function fitCalibration(outcomes: readonly number[], probabilities: readonly number[]): { calibrate: Calibrate; calibrated: boolean } {
  if (outcomes.length === 0 || !needsCalibration(outcomes, probabilities)) return { calibrate: IDENTITY, calibrated: false }
  const calibrator = IsotonicCalibrator.fit(probabilities, outcomes)
  return { calibrate: (s) => calibrator.predict(s), calibrated: true }
}
