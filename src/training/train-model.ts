import { readCsvColumns } from '../monitoring/drift/csv-columns.js'
import type { DriftFrame } from '../monitoring/drift/detect-drift.js'
import { invalidParameter } from '../shared/errors.js'
import { fitBoostedTrees, GBT_DEFAULTS, type GbtOptions } from './gbt-trainer.js'
import { holdoutMetrics } from './holdout-metrics.js'
import { fitLinear, type LinearOptions } from './linear-trainer.js'
import { fitLogistic, LOGISTIC_DEFAULTS, type LogisticOptions } from './logistic-trainer.js'
import { predict } from './model-predictions.js'
import { exportOnnx } from './onnx/export-onnx.js'
import { selectTrainingData, type TrainingData } from './training-data.js'
import { splitRows, takeRows, type SplitIndices } from './train-test-split.js'
import type { ClassLabels, ModelKind, ProgressListener, TaskKind, TrainedModel } from './training-types.js'

export interface TrainOptions {
  readonly target: string
  /** Inferred from the target when absent (text or few integers: classification). */
  readonly task?: TaskKind
  /** Default `gbt`. */
  readonly model?: ModelKind
  /** Default every column but the target. */
  readonly features?: readonly string[]
  /** Share of rows held out for the metrics; default 0.2. */
  readonly testSize?: number
  readonly seed?: number
  readonly gbt?: Partial<Omit<GbtOptions, 'onProgress'>>
  readonly logistic?: Partial<Omit<LogisticOptions, 'onProgress'>>
  readonly linear?: Partial<LinearOptions>
  /** Optimizer iterations (logistic) or boosting rounds (gbt). */
  readonly onProgress?: ProgressListener
}

export interface TrainResult {
  readonly task: TaskKind
  readonly modelKind: ModelKind
  readonly model: TrainedModel
  readonly featureNames: readonly string[]
  readonly classes?: ClassLabels
  /** On the held-out rows: accuracy, f1, roc_auc, log_loss or mae, rmse, r2. */
  readonly metrics: Record<string, number>
  /** Hyper-parameters as logged to the run. */
  readonly params: Record<string, string>
  /** Row indices (after dropped rows) of each side, for training a peer on the same split. */
  readonly split: SplitIndices
  readonly droppedRows: number
  readonly trainSeconds: number
  readonly onnx: Uint8Array
  /** The rows trained and scored on (after leaving out incomplete ones). */
  readonly data: TrainingData
  readonly target: string
}

export const DEFAULT_TEST_SIZE = 0.2
export const DEFAULT_SEED = 42

function modelFor(task: TaskKind, requested: ModelKind | undefined): ModelKind {
  const model = requested ?? 'gbt'
  if (model === 'logistic' && task === 'regression') throw invalidParameter("--model logistic is a classifier but the task is regression; use --model linear or gbt, or pass --task classification.")
  if (model === 'linear' && task === 'classification') throw invalidParameter("--model linear is a regressor but the task is classification; use --model logistic or gbt, or pass --task regression.")
  return model
}

function fit(kind: ModelKind, data: TrainingData, columns: Float32Array[], target: Float64Array, options: TrainOptions): { model: TrainedModel; params: Record<string, string> } {
  const onProgress = options.onProgress ? { onProgress: options.onProgress } : {}
  if (kind === 'logistic') {
    const o = { ...LOGISTIC_DEFAULTS, ...options.logistic, ...onProgress }
    return { model: fitLogistic(columns, target, data.classes!, o), params: { l2: String(o.l2), max_iter: String(o.maxIterations) } }
  }
  if (kind === 'linear') {
    const l2 = options.linear?.l2 ?? 0
    return { model: fitLinear(columns, target, { l2 }), params: { l2: String(l2) } }
  }
  const o = { ...GBT_DEFAULTS, ...options.gbt, ...onProgress }
  const params = { trees: String(o.trees), depth: String(o.maxDepth), learning_rate: String(o.learningRate), min_samples_leaf: String(o.minSamplesLeaf) }
  return { model: fitBoostedTrees(columns, target, data.task, data.classes, o), params }
}

function checkOptions(options: TrainOptions): void {
  const testSize = options.testSize ?? DEFAULT_TEST_SIZE
  if (!(testSize > 0 && testSize < 1)) throw invalidParameter(`--test-size ${testSize} must be between 0 and 1 (exclusive), e.g. 0.2.`)
  const g = options.gbt ?? {}
  if (g.trees !== undefined && !(Number.isInteger(g.trees) && g.trees >= 1)) throw invalidParameter('--trees must be a whole number of at least 1.')
  if (g.maxDepth !== undefined && !(Number.isInteger(g.maxDepth) && g.maxDepth >= 1 && g.maxDepth <= 30)) throw invalidParameter('--depth must be a whole number from 1 to 30.')
  if (g.learningRate !== undefined && !(g.learningRate > 0 && g.learningRate <= 1)) throw invalidParameter('--learning-rate must be above 0 and at most 1.')
  if (g.minSamplesLeaf !== undefined && !(Number.isInteger(g.minSamplesLeaf) && g.minSamplesLeaf >= 1)) throw invalidParameter('--min-samples-leaf must be a whole number of at least 1.')
  const l = options.logistic ?? {}
  if (l.l2 !== undefined && !(l.l2 >= 0)) throw invalidParameter('--l2 must be 0 or more.')
  if (l.maxIterations !== undefined && !(Number.isInteger(l.maxIterations) && l.maxIterations >= 1)) throw invalidParameter('--max-iter must be a whole number of at least 1.')
  if (options.linear?.l2 !== undefined && !(options.linear.l2 >= 0)) throw invalidParameter('--l2 must be 0 or more.')
}

/** Splits, fits on the training rows, scores the held-out rows and exports the model to ONNX. */
export function trainOnData(data: TrainingData, options: TrainOptions): TrainResult {
  checkOptions(options)
  const kind = modelFor(data.task, options.model)
  const split = splitRows(data.features.rows, options.testSize ?? DEFAULT_TEST_SIZE, options.seed ?? DEFAULT_SEED)
  const pickTarget = (rows: Uint32Array) => Float64Array.from(rows, (r) => data.target[r]!)
  const started = performance.now()
  const { model, params } = fit(kind, data, takeRows(data.features.columns, split.train), pickTarget(split.train), options)
  const trainSeconds = (performance.now() - started) / 1000
  const predictions = predict(model, takeRows(data.features.columns, split.test))
  return {
    task: data.task,
    modelKind: kind,
    model,
    featureNames: data.features.names,
    ...(data.classes ? { classes: data.classes } : {}),
    metrics: holdoutMetrics(predictions, pickTarget(split.test), data.classes),
    params,
    split,
    droppedRows: data.droppedRows,
    trainSeconds,
    onnx: exportOnnx(model, data.features.names),
    data,
    target: options.target,
  }
}

/** Trains on a CSV file (read with the streaming reader) or an already parsed table. */
export function train(data: string | DriftFrame, options: TrainOptions): TrainResult {
  const frame = typeof data === 'string' ? readCsvColumns(data, 'training') : data
  const selection = { target: options.target, ...(options.features ? { features: options.features } : {}), ...(options.task ? { task: options.task } : {}) }
  return trainOnData(selectTrainingData(frame, selection), options)
}
