import { minimizeLbfgs } from './lbfgs-optimizer.js'
import { scoresOf } from './linear-scores.js'
import { fitStandardization, standardize } from './standardization.js'
import type { ClassLabels, LogisticModel, ProgressListener } from './training-types.js'

export interface LogisticOptions {
  /** L2 strength λ = 1/C: scikit-learn's default C = 1.0 is λ = 1; 0 turns the penalty off. */
  readonly l2: number
  readonly maxIterations: number
  /** Largest gradient component at which the optimizer stops; default 1e-4 as scikit-learn. */
  readonly tolerance?: number
  readonly onProgress?: ProgressListener
}

/** scikit-learn's lbfgs `tol`: its objective is also the per-row mean, so the gradients compare. */
const DEFAULT_TOLERANCE = 1e-4

export const LOGISTIC_DEFAULTS: LogisticOptions = { l2: 1, maxIterations: 100 }

/**
 * scikit-learn's objective, Σ log-loss + λ/2·‖W‖² (intercepts unpenalized), divided by the row
 * count so the tolerance does not depend on the data size; the minimizer is the same.
 */
function objective(z: Float64Array[], y: Float64Array, k: number, l2: number) {
  const rows = y.length
  const features = z.length
  const scores = new Float64Array(rows * k)
  const residual = new Float64Array(rows * k)
  return (theta: Float64Array, gradient: Float64Array): number => {
    const weights = theta.subarray(0, features * k)
    const intercepts = theta.subarray(features * k)
    scoresOf(z, weights, intercepts, rows, scores)
    const loss = k === 1 ? binaryResiduals(scores, y, residual) : softmaxResiduals(scores, y, k, residual)
    gradient.fill(0)
    for (let f = 0; f < features; f++) {
      const column = z[f]!
      for (let c = 0; c < k; c++) {
        let s = 0
        for (let i = 0; i < rows; i++) s += column[i]! * residual[i * k + c]!
        gradient[f * k + c] = (s + l2 * weights[f * k + c]!) / rows
      }
    }
    for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) gradient[features * k + c]! += residual[i * k + c]! / rows
    let penalty = 0
    for (let j = 0; j < weights.length; j++) penalty += weights[j]! ** 2
    return (loss + 0.5 * l2 * penalty) / rows
  }
}

/** Writes p − y per row and returns Σ log-loss, for one logit per row. */
function binaryResiduals(scores: Float64Array, y: Float64Array, residual: Float64Array): number {
  let loss = 0
  for (let i = 0; i < y.length; i++) {
    const s = scores[i]!
    // log(1 + e^s) without overflow.
    const softplus = s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))
    loss += softplus - y[i]! * s
    residual[i] = Math.exp(s - softplus) - y[i]!
  }
  return loss
}

function softmaxResiduals(scores: Float64Array, y: Float64Array, k: number, residual: Float64Array): number {
  let loss = 0
  for (let i = 0; i < y.length; i++) {
    let max = -Infinity
    for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]!)
    let sum = 0
    for (let c = 0; c < k; c++) sum += Math.exp(scores[i * k + c]! - max)
    const logSum = max + Math.log(sum)
    const own = y[i]!
    loss += logSum - scores[i * k + own]!
    for (let c = 0; c < k; c++) residual[i * k + c] = Math.exp(scores[i * k + c]! - logSum) - (c === own ? 1 : 0)
  }
  return loss
}

/**
 * Logistic regression on standardized features: binary with one logit (sigmoid), multiclass
 * multinomial (softmax), as scikit-learn's LogisticRegression with the lbfgs solver.
 * @param target each row's class index into `classes`.
 */
export function fitLogistic(columns: readonly Float32Array[], target: Float64Array, classes: ClassLabels, options: LogisticOptions = LOGISTIC_DEFAULTS): LogisticModel {
  const standardization = fitStandardization(columns)
  const z = standardize(columns, standardization)
  const k = classes.names.length === 2 ? 1 : classes.names.length
  const f = objective(z, target, k, options.l2)
  const onIteration = options.onProgress ? (i: number) => options.onProgress!(i, options.maxIterations) : undefined
  const result = minimizeLbfgs(f, new Float64Array((columns.length + 1) * k), {
    maxIterations: options.maxIterations,
    tolerance: options.tolerance ?? DEFAULT_TOLERANCE,
    ...(onIteration ? { onIteration } : {}),
  })
  return {
    kind: 'logistic',
    task: 'classification',
    ...standardization,
    weights: result.x.slice(0, columns.length * k),
    intercepts: result.x.slice(columns.length * k),
    outputs: k,
    classes,
  }
}
