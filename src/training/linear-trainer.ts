import { fitStandardization, standardize } from './standardization.js'
import type { LinearRegressionModel } from './training-types.js'

export interface LinearOptions {
  /** Ridge penalty α·‖w‖² on the standardized weights; 0 is ordinary least squares. */
  readonly l2: number
}

/** A pivot this small relative to the largest diagonal means the feature is a combination of others. */
const RANK_TOLERANCE = 1e-10

/**
 * Cholesky factorization in place (lower triangle), solving A·x = b. A feature whose pivot
 * vanishes is collinear with earlier ones; it gets weight 0, as a minimum-norm least-squares
 * solution would give it nothing to explain either.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let largest = 0
  for (let i = 0; i < n; i++) largest = Math.max(largest, a[i * n + i]!)
  const dropped = new Uint8Array(n)
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2
    if (d <= RANK_TOLERANCE * Math.max(largest, 1e-300)) {
      dropped[j] = 1
      for (let i = j; i < n; i++) a[i * n + j] = 0
      a[j * n + j] = 1
      continue
    }
    const l = Math.sqrt(d)
    a[j * n + j] = l
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!
      a[i * n + j] = s / l
    }
  }
  const x = Float64Array.from(b, (v, i) => (dropped[i] ? 0 : v))
  for (let i = 0; i < n; i++) {
    let s = x[i]!
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * x[k]!
    x[i] = dropped[i] ? 0 : s / a[i * n + i]!
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * x[k]!
    x[i] = dropped[i] ? 0 : s / a[i * n + i]!
  }
  return x
}

/**
 * Least squares with an intercept: on standardized, centred features the intercept is the target
 * mean and the weights solve (ZᵀZ + αI)·w = Zᵀ(y − ȳ). Standardizing keeps the normal equations
 * well conditioned enough for Cholesky; it does not change the ordinary least-squares fit.
 */
export function fitLinear(columns: readonly Float32Array[], target: Float64Array, options: LinearOptions = { l2: 0 }): LinearRegressionModel {
  const standardization = fitStandardization(columns)
  const z = standardize(columns, standardization)
  const n = target.length
  const p = columns.length
  let mean = 0
  for (let i = 0; i < n; i++) mean += target[i]!
  mean /= n
  const gram = new Float64Array(p * p)
  const rhs = new Float64Array(p)
  for (let a = 0; a < p; a++) {
    const za = z[a]!
    let r = 0
    for (let i = 0; i < n; i++) r += za[i]! * (target[i]! - mean)
    rhs[a] = r
    for (let b = 0; b <= a; b++) {
      const zb = z[b]!
      let s = 0
      for (let i = 0; i < n; i++) s += za[i]! * zb[i]!
      gram[a * p + b] = gram[b * p + a] = s
    }
    gram[a * p + a]! += options.l2
  }
  const weights = solveSymmetric(gram, rhs, p)
  return { kind: 'linear', task: 'regression', ...standardization, weights, intercepts: Float64Array.of(mean), outputs: 1 }
}
