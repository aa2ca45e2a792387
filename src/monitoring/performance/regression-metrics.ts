/** MAE, RMSE, MAPE and R² of one window's labeled rows. */
export interface RegressionMetrics {
  mae: number
  rmse: number
  /**
   * Mean of |y − ŷ| / |y| as a fraction (0.05 = 5%) over rows with y ≠ 0; undefined when every
   * y is 0. Rows with y = 0 are left out and counted in `mape_zero_targets` rather than divided
   * by machine epsilon (scikit-learn's choice), which would let one zero target swamp the mean.
   */
  mape?: number
  mape_zero_targets: number
  r2: number
}

/**
 * Regression metrics as scikit-learn computes them, except MAPE's zero targets (see above).
 * R² of a constant target is 1 when every prediction is exact and 0 otherwise
 * (scikit-learn's `force_finite=True`).
 */
export function regressionMetrics(actual: readonly number[], predicted: readonly number[]): RegressionMetrics {
  const n = actual.length
  if (n === 0) throw new RangeError('regressionMetrics needs at least one labeled row')
  let absSum = 0
  let sqSum = 0
  let apeSum = 0
  let apeRows = 0
  let ySum = 0
  for (let i = 0; i < n; i++) {
    const y = actual[i]!
    const e = y - predicted[i]!
    absSum += Math.abs(e)
    sqSum += e * e
    ySum += y
    if (y !== 0) {
      apeSum += Math.abs(e) / Math.abs(y)
      apeRows++
    }
  }
  // Two passes for the total sum of squares: Σy² − (Σy)²/n loses every digit on large offsets.
  const mean = ySum / n
  let ssTot = 0
  for (let i = 0; i < n; i++) ssTot += (actual[i]! - mean) ** 2
  const r2 = ssTot === 0 ? (sqSum === 0 ? 1 : 0) : 1 - sqSum / ssTot
  const result: RegressionMetrics = { mae: absSum / n, rmse: Math.sqrt(sqSum / n), mape_zero_targets: n - apeRows, r2 }
  if (apeRows > 0) result.mape = apeSum / apeRows
  return result
}
