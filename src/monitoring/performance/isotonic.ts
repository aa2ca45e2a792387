/**
 * Increasing isotonic regression by pool adjacent violators, predicting by linear interpolation
 * between the fitted points and clipping outside them: scikit-learn's
 * `IsotonicRegression(out_of_bounds='clip')`, which NannyML's CBPE calibrates with.
 */
export class IsotonicCalibrator {
  readonly #x: Float64Array
  readonly #y: Float64Array

  private constructor(x: Float64Array, y: Float64Array) {
    this.#x = x
    this.#y = y
  }

  /** Fits scores `x` to outcomes `y` (0/1 for calibration); needs at least one point. */
  static fit(x: readonly number[], y: readonly number[]): IsotonicCalibrator {
    if (x.length === 0 || x.length !== y.length) throw new RangeError('isotonic fit needs equal, non-empty x and y')
    // Equal x are pooled into their mean y anyway, so only the unique x need sorting, natively.
    const pooled = new Map<number, [number, number]>()
    for (let i = 0; i < x.length; i++) {
      const entry = pooled.get(x[i]!)
      if (entry) {
        entry[0] += y[i]!
        entry[1]++
      } else pooled.set(x[i]!, [y[i]!, 1])
    }
    const xs = Float64Array.from(pooled.keys()).sort()
    const sums = Array.from(xs, (v) => pooled.get(v)![0])
    const weights = Array.from(xs, (v) => pooled.get(v)![1])
    return new IsotonicCalibrator(xs, poolAdjacentViolators(sums, weights))
  }

  /** Fits points already sorted by x (then y), skipping the sort: cross-validation sorts once for every fold. */
  static fromSorted(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicCalibrator {
    if (x.length === 0) throw new RangeError('isotonic fit needs at least one point')
    // Equal x first become one point with the mean y and their count as weight, as scikit-learn does.
    const xs: number[] = []
    const sums: number[] = []
    const weights: number[] = []
    for (let i = 0; i < x.length; i++) {
      const last = xs.length - 1
      if (last >= 0 && xs[last] === x[i]) {
        sums[last]! += y[i]!
        weights[last]!++
      } else {
        xs.push(x[i]!)
        sums.push(y[i]!)
        weights.push(1)
      }
    }
    return new IsotonicCalibrator(Float64Array.from(xs), poolAdjacentViolators(sums, weights))
  }

  /** The calibrated value of one score. */
  predict(score: number): number {
    const x = this.#x
    const y = this.#y
    const last = x.length - 1
    if (score <= x[0]!) return y[0]!
    if (score >= x[last]!) return y[last]!
    let lo = 0
    let hi = last
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (x[mid]! <= score) lo = mid
      else hi = mid
    }
    // np.interp's formula, so results match scikit-learn to the last bits.
    const slope = (y[hi]! - y[lo]!) / (x[hi]! - x[lo]!)
    return slope * (score - x[lo]!) + y[lo]!
  }

  predictAll(scores: readonly number[]): number[] {
    return scores.map((s) => this.predict(s))
  }
}

/** Row indices ordered by x, then y. */
export function sortedOrder(x: readonly number[], y: readonly number[]): Uint32Array {
  return Uint32Array.from(x.keys()).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!)
}

/** Weighted PAV: each point's fitted value, given per-point sums of y and weights. */
function poolAdjacentViolators(sums: readonly number[], weights: readonly number[]): Float64Array {
  const blockSum: number[] = []
  const blockWeight: number[] = []
  const blockLength: number[] = []
  for (let i = 0; i < sums.length; i++) {
    blockSum.push(sums[i]!)
    blockWeight.push(weights[i]!)
    blockLength.push(1)
    while (blockSum.length > 1) {
      const b = blockSum.length - 1
      if (blockSum[b - 1]! / blockWeight[b - 1]! <= blockSum[b]! / blockWeight[b]!) break
      blockSum[b - 1]! += blockSum.pop()!
      blockWeight[b - 1]! += blockWeight.pop()!
      blockLength[b - 1]! += blockLength.pop()!
    }
  }
  const fitted = new Float64Array(sums.length)
  let at = 0
  for (let b = 0; b < blockSum.length; b++) {
    fitted.fill(blockSum[b]! / blockWeight[b]!, at, at + blockLength[b]!)
    at += blockLength[b]!
  }
  return fitted
}
