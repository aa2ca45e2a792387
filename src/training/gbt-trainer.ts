import { softmaxRow, sigmoid } from './class-probabilities.js'
import { binFeatures, MAX_BINS } from './feature-binning.js'
import { growTree, treeLeafValue, TreeWorkspace, type LeafValue } from './histogram-tree.js'
import type { BoostedTreesModel, ClassLabels, DecisionTree, ProgressListener, TaskKind } from './training-types.js'

export interface GbtOptions {
  readonly trees: number
  readonly maxDepth: number
  readonly learningRate: number
  readonly minSamplesLeaf: number
  readonly maxBins?: number
  readonly onProgress?: ProgressListener
}

/** scikit-learn's GradientBoosting defaults. */
export const GBT_DEFAULTS: GbtOptions = { trees: 100, maxDepth: 3, learningRate: 0.1, minSamplesLeaf: 1 }

/** scikit-learn leaves a leaf at 0 when its Newton denominator underflows. */
const TINY = 1e-150

interface Boosting {
  readonly outputs: number
  readonly base: Float64Array
  /** Writes each output's negative gradient for the current raw scores. */
  residuals(raw: Float64Array, out: Float64Array[]): void
  leafValue(k: number, residual: Float64Array): LeafValue
}

const meanOf = (residual: Float64Array): LeafValue => (rows, start, end) => {
  let s = 0
  for (let j = start; j < end; j++) s += residual[rows[j]!]!
  return end > start ? s / (end - start) : 0
}

function squaredError(target: Float64Array): Boosting {
  let mean = 0
  for (const y of target) mean += y
  mean /= target.length
  return {
    outputs: 1,
    base: Float64Array.of(mean),
    residuals: (raw, out) => { for (let i = 0; i < target.length; i++) out[0]![i] = target[i]! - raw[i]! },
    leafValue: (_k, residual) => meanOf(residual),
  }
}

/**
 * Log loss on one logit; a leaf takes one Newton step, Σ(y − p) / Σ p(1 − p), and since
 * y − p = residual, p(1 − p) = |r|(1 − |r|) needs no stored probabilities.
 */
function newtonLeaf(residual: Float64Array, factor: number): LeafValue {
  return (rows, start, end) => {
    let numerator = 0
    let denominator = 0
    for (let j = start; j < end; j++) {
      const r = residual[rows[j]!]!
      numerator += r
      denominator += Math.abs(r) * (1 - Math.abs(r))
    }
    return denominator < TINY ? 0 : (factor * numerator) / denominator
  }
}

function binaryLogLoss(target: Float64Array): Boosting {
  let positives = 0
  for (const y of target) positives += y
  const p = positives / target.length
  return {
    outputs: 1,
    base: Float64Array.of(Math.log(p / (1 - p))),
    residuals: (raw, out) => { for (let i = 0; i < target.length; i++) out[0]![i] = target[i]! - sigmoid(raw[i]!) },
    leafValue: (_k, residual) => newtonLeaf(residual, 1),
  }
}

/** Softmax log loss, one tree per class per round, leaves scaled by (K − 1)/K as in Friedman's paper and scikit-learn. */
function multinomialLogLoss(target: Float64Array, k: number): Boosting {
  const priors = new Float64Array(k)
  for (const y of target) priors[y]!++
  const probabilities = new Float64Array(k)
  return {
    outputs: k,
    base: priors.map((c) => Math.log(Math.max(c, 1e-300) / target.length)),
    residuals: (raw, out) => {
      for (let i = 0; i < target.length; i++) {
        softmaxRow(raw, i * k, k, probabilities, 0)
        for (let c = 0; c < k; c++) out[c]![i] = (target[i] === c ? 1 : 0) - probabilities[c]!
      }
    },
    leafValue: (_k, residual) => newtonLeaf(residual, (k - 1) / k),
  }
}

function boostingFor(task: TaskKind, target: Float64Array, classes: ClassLabels | undefined): Boosting {
  if (task === 'regression') return squaredError(target)
  const k = classes!.names.length
  return k === 2 ? binaryLogLoss(target) : multinomialLogLoss(target, k)
}

/**
 * Gradient boosting as scikit-learn's GradientBoosting(Classifier|Regressor) does it (trees fit to
 * the negative gradient by squared error, leaves by a Newton step, learning rate folded into the
 * leaves), but with split finding on at most 255 quantile bins per feature instead of every value.
 */
export function fitBoostedTrees(columns: readonly Float32Array[], target: Float64Array, task: TaskKind, classes: ClassLabels | undefined, options: GbtOptions = GBT_DEFAULTS): BoostedTreesModel {
  const rows = target.length
  const binned = binFeatures(columns, options.maxBins ?? MAX_BINS)
  const boosting = boostingFor(task, target, classes)
  const k = boosting.outputs
  const raw = new Float64Array(rows * k)
  for (let i = 0; i < rows; i++) raw.set(boosting.base, i * k)
  const residuals = Array.from({ length: k }, () => new Float64Array(rows))
  const trees: DecisionTree[][] = Array.from({ length: k }, () => [])
  const work = new TreeWorkspace(rows)
  const treeOptions = { maxDepth: options.maxDepth, minSamplesLeaf: options.minSamplesLeaf }
  for (let round = 0; round < options.trees; round++) {
    boosting.residuals(raw, residuals)
    for (let c = 0; c < k; c++) {
      const newton = boosting.leafValue(c, residuals[c]!)
      const leaf: LeafValue = (r, s, e) => options.learningRate * newton(r, s, e)
      // Every class's residuals were taken before this round's trees, so updating `raw` as leaves form is safe.
      const tree = growTree(binned, residuals[c]!, treeOptions, leaf, work, (r, s, e, value) => {
        for (let j = s; j < e; j++) raw[r[j]! * k + c]! += value
      })
      trees[c]!.push(tree)
    }
    options.onProgress?.(round + 1, options.trees)
  }
  return { kind: 'gbt', task, baseScores: boosting.base, trees, ...(classes ? { classes } : {}) }
}

/** Raw scores [rows, outputs] of a boosted ensemble on raw feature columns. */
export function boostedRawScores(model: BoostedTreesModel, columns: readonly Float32Array[]): Float64Array {
  const rows = columns[0]?.length ?? 0
  const k = model.baseScores.length
  const raw = new Float64Array(rows * k)
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < k; c++) {
      let s = model.baseScores[c]!
      for (const tree of model.trees[c]!) s += treeLeafValue(tree, columns, i)
      raw[i * k + c] = s
    }
  }
  return raw
}
