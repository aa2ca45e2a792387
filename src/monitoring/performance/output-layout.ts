import { invalidParameter } from '../../shared/errors.js'
import type { LoggedColumns } from '../prediction-log-store.js'

export type PerformanceTask = 'classification' | 'regression'

/** What the caller says about the model's outputs; anything left out is detected. */
export interface OutputOptions {
  task?: PerformanceTask
  /** The output column holding the predicted class or value. */
  predictionColumn?: string
  /** Output columns holding class probabilities, in the order of `classes`. */
  probabilityColumns?: readonly string[]
  /** The positive class of a binary classifier (as a string: "1", "spam", "true"). */
  positiveClass?: string
  /** The classes the probability columns stand for, in column order. */
  classes?: readonly string[]
}

/** Which output columns hold what. */
export interface OutputLayout {
  task: PerformanceTask
  /** Undefined for a classifier that only gives probabilities: the prediction is then the most probable class. */
  predictionColumn?: string
  probabilityColumns: string[]
  /** Where the caller named them; otherwise inferred from the labels once rows are read. */
  classes?: string[]
}

/** Predicted-label columns as exporters name them: sklearn-onnx (`label`, `output_label`), then common names. */
const LABEL_COLUMNS = ['label', 'output_label', 'predicted_label', 'prediction', 'predictions', 'class']
/** Probability tensors as exporters name them; `[n, k]` tensors are logged as `name[0]` … `name[k-1]`. */
const PROBABILITY_BASES = ['probabilities', 'output_probability', 'probability', 'probas', 'proba']

function indexedColumns(columns: readonly string[], base: string): string[] {
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[(\\d+)\\]$`)
  return columns
    .flatMap((c) => {
      const m = pattern.exec(c)
      return m ? [[Number(m[1]), c] as const] : []
    })
    .sort((a, b) => a[0] - b[0])
    .map(([, c]) => c)
}

function isNumericColumn(values: LoggedColumns[string] | undefined): boolean {
  return values !== undefined && values.some((v) => typeof v === 'number') && values.every((v) => v === null || typeof v === 'number')
}

/**
 * Reads the layout off one successful log's outputs: sklearn-onnx's `label` + `probabilities[i]`
 * or `output_label` + `output_probability[i]`, a single numeric output as a regression value,
 * probability columns alone as a classifier predicting the most probable class. Explicit options
 * win over detection. Throws INVALID_PARAMETER_VALUE, naming the columns, when it cannot tell.
 */
export function detectLayout(outputs: LoggedColumns, options: OutputOptions = {}): OutputLayout {
  const columns = Object.keys(outputs)
  for (const c of [...(options.predictionColumn ? [options.predictionColumn] : []), ...(options.probabilityColumns ?? [])]) {
    if (!columns.includes(c)) throw invalidParameter(`The model has no output column '${c}'; its outputs are: ${columns.join(', ')}.`)
  }
  const probabilityColumns = options.probabilityColumns
    ? [...options.probabilityColumns]
    : (PROBABILITY_BASES.map((b) => indexedColumns(columns, b)).find((found) => found.length > 0) ?? [])
  const predictionColumn = options.predictionColumn ?? LABEL_COLUMNS.find((c) => columns.includes(c)) ?? singleOther(columns, probabilityColumns)
  const task = options.task ?? guessTask(predictionColumn, probabilityColumns, outputs)
  if (task === 'regression') {
    if (predictionColumn === undefined) throw invalidParameter(`Cannot tell which output is the predicted value among ${columns.join(', ')}: pass prediction_column.`)
    return { task, predictionColumn, probabilityColumns: [] }
  }
  if (predictionColumn === undefined && probabilityColumns.length < 2) {
    throw invalidParameter(`Cannot tell which output is the predicted class among ${columns.join(', ')}: pass prediction_column (and probability_columns).`)
  }
  if (options.classes && options.classes.length !== probabilityColumns.length) {
    throw invalidParameter(`${options.classes.length} classes given for ${probabilityColumns.length} probability columns; give one class per column, in order.`)
  }
  const layout: OutputLayout = { task, probabilityColumns }
  if (predictionColumn !== undefined) layout.predictionColumn = predictionColumn
  if (options.classes) layout.classes = [...options.classes]
  return layout
}

function singleOther(columns: readonly string[], probabilityColumns: readonly string[]): string | undefined {
  const rest = columns.filter((c) => !probabilityColumns.includes(c))
  return rest.length === 1 ? rest[0] : undefined
}

/** A named label column, probabilities or a non-numeric output mean a classifier; one numeric output means regression. */
function guessTask(predictionColumn: string | undefined, probabilityColumns: readonly string[], outputs: LoggedColumns): PerformanceTask {
  if (probabilityColumns.length > 0) return 'classification'
  if (predictionColumn !== undefined && LABEL_COLUMNS.slice(0, 3).includes(predictionColumn)) return 'classification'
  if (predictionColumn !== undefined && isNumericColumn(outputs[predictionColumn])) return 'regression'
  return 'classification'
}
