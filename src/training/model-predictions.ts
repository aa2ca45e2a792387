import { argmaxRows, probabilitiesFromScores } from './class-probabilities.js'
import { boostedRawScores } from './gbt-trainer.js'
import { linearRawScores } from './linear-scores.js'
import type { TrainedModel } from './training-types.js'

/** What the in-memory model predicts; the ONNX export must give the same numbers. */
export type Predictions =
  | { readonly task: 'regression'; readonly values: Float64Array }
  | {
      readonly task: 'classification'
      /** [rows, classes] row-major. */
      readonly probabilities: Float64Array
      /** Index into the model's classes. */
      readonly classIndex: Uint32Array
    }

export function rawScores(model: TrainedModel, columns: readonly Float32Array[]): Float64Array {
  return model.kind === 'gbt' ? boostedRawScores(model, columns) : linearRawScores(model, columns)
}

export function predict(model: TrainedModel, columns: readonly Float32Array[]): Predictions {
  const raw = rawScores(model, columns)
  if (model.task === 'regression') return { task: 'regression', values: raw }
  const classes = model.classes!.names.length
  const probabilities = probabilitiesFromScores(raw, classes === 2 ? 1 : classes, classes)
  return { task: 'classification', probabilities, classIndex: argmaxRows(probabilities, classes) }
}
