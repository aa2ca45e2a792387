import type { Standardization } from './training-types.js'

/**
 * Per-feature mean and population standard deviation (scikit-learn's StandardScaler, ddof 0); a
 * constant feature keeps scale 1 so it standardizes to 0 rather than dividing by zero.
 */
export function fitStandardization(columns: readonly Float32Array[]): Standardization {
  const mean = new Float64Array(columns.length)
  const scale = new Float64Array(columns.length)
  columns.forEach((column, f) => {
    let sum = 0
    for (let i = 0; i < column.length; i++) sum += column[i]!
    const m = sum / column.length
    let ss = 0
    for (let i = 0; i < column.length; i++) ss += (column[i]! - m) ** 2
    const sd = Math.sqrt(ss / column.length)
    mean[f] = m
    scale[f] = sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1
  })
  return { mean, scale }
}

/** Standardized copies of the columns, in float64 for the optimizers. */
export function standardize(columns: readonly Float32Array[], s: Standardization): Float64Array[] {
  return columns.map((column, f) => {
    const out = new Float64Array(column.length)
    const m = s.mean[f]!
    const sc = s.scale[f]!
    for (let i = 0; i < column.length; i++) out[i] = (column[i]! - m) / sc
    return out
  })
}
