import type { LinearScores } from './training-types.js'

/** Raw scores [rows, K] row-major of standardized columns: Σ_f z_f·W[f·K + k] + b[k]. */
export function scoresOf(z: readonly Float64Array[], weights: Float64Array, intercepts: Float64Array, rows: number, out = new Float64Array(rows * intercepts.length)): Float64Array {
  const k = intercepts.length
  for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = intercepts[c]!
  z.forEach((column, f) => {
    for (let c = 0; c < k; c++) {
      const w = weights[f * k + c]!
      if (w === 0) continue
      for (let i = 0; i < rows; i++) out[i * k + c]! += column[i]! * w
    }
  })
  return out
}

/** A linear model's raw scores on raw (unstandardized) feature columns. */
export function linearRawScores(model: LinearScores, columns: readonly Float32Array[]): Float64Array {
  const rows = columns[0]?.length ?? 0
  const z = columns.map((column, f) => {
    const out = new Float64Array(rows)
    const m = model.mean[f]!
    const s = model.scale[f]!
    for (let i = 0; i < rows; i++) out[i] = (column[i]! - m) / s
    return out
  })
  return scoresOf(z, model.weights, model.intercepts, rows)
}
