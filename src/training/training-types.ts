/** Shapes shared by the trainers, the ONNX export and the tracking of a training run. */

export type TaskKind = 'classification' | 'regression'
export type ModelKind = 'logistic' | 'linear' | 'gbt'

/** Features column by column, as float32: the precision the ONNX model sees them at. */
export interface FeatureMatrix {
  readonly names: readonly string[]
  readonly columns: readonly Float32Array[]
  readonly rows: number
}

/**
 * The classes of a classification target, in scikit-learn's order (np.unique). `values` are what
 * the ONNX `label` output holds: the class itself for an integer target, its index for a text one.
 */
export interface ClassLabels {
  readonly names: readonly string[]
  readonly values: readonly bigint[]
}

/** Called after each optimizer iteration or boosting round. */
export type ProgressListener = (done: number, total: number) => void

/** z = (x − mean) / scale per feature; scale 1 for a constant feature. */
export interface Standardization {
  readonly mean: Float64Array
  readonly scale: Float64Array
}

/** A linear model on standardized features: raw score k of a row is Σ_f z_f·W[f·K + k] + b[k]. */
export interface LinearScores extends Standardization {
  /** Row-major [features, outputs]. */
  readonly weights: Float64Array
  readonly intercepts: Float64Array
  readonly outputs: number
}

export interface LinearRegressionModel extends LinearScores {
  readonly kind: 'linear'
  readonly task: 'regression'
}

/** One output for a binary task (the positive class's logit, sigmoid), one per class otherwise (softmax). */
export interface LogisticModel extends LinearScores {
  readonly kind: 'logistic'
  readonly task: 'classification'
  readonly classes: ClassLabels
}

/** A tree in flat arrays; node i is a leaf when feature[i] < 0. Rows with x ≤ threshold go left. */
export interface DecisionTree {
  readonly feature: Int32Array
  readonly threshold: Float32Array
  readonly left: Int32Array
  readonly right: Int32Array
  /** Leaf values, the learning rate already applied. */
  readonly value: Float64Array
}

export interface BoostedTreesModel {
  readonly kind: 'gbt'
  readonly task: TaskKind
  /** Initial raw score per output (mean, log-odds or log-priors). */
  readonly baseScores: Float64Array
  /** trees[k] are the trees adding to raw output k, one per boosting round. */
  readonly trees: readonly (readonly DecisionTree[])[]
  readonly classes?: ClassLabels
}

export type TrainedModel = LinearRegressionModel | LogisticModel | BoostedTreesModel
