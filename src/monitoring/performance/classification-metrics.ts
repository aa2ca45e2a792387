import { sortClassKeys } from './class-labels.js'
import { rocAucBinary } from './roc-auc.js'

/** Float64 machine epsilon: scikit-learn's `log_loss(eps='auto')` clips probabilities to [eps, 1 − eps]. */
const EPS = 2.220446049250313e-16

/** Rows of a classification window, columnar; classes are keys from `classKey`. */
export interface ClassificationRows {
  actual: readonly string[]
  predicted: readonly string[]
  /** Probability columns by class key (each as long as `actual`), when the model gives them. */
  probabilities?: ReadonlyMap<string, readonly number[]>
}

export interface ConfusionMatrix {
  /** Row i is actual `labels[i]`, column j predicted `labels[j]` (scikit-learn's layout). */
  labels: string[]
  matrix: number[][]
}

export interface ClassificationMetrics {
  accuracy: number
  precision: number
  recall: number
  f1: number
  /** Undefined without probabilities, or when only one class occurs among the labels. */
  roc_auc?: number
  log_loss?: number
  confusion_matrix: ConfusionMatrix
}

export interface ClassificationOptions {
  /** Binary metrics for this class; without it, precision, recall and F1 are macro-averaged over classes. */
  positiveClass?: string
  /** Every class the model knows, sorted; defaults to those seen in actual and predicted labels. */
  classes?: readonly string[]
}

/**
 * Accuracy, precision, recall, F1, ROC AUC, log loss and the confusion matrix, as scikit-learn
 * computes them (`zero_division=0`; multiclass macro averages over the classes in the actual and
 * predicted labels, ROC AUC one-vs-rest macro over the classes that occur among the labels).
 */
export function classificationMetrics(rows: ClassificationRows, options: ClassificationOptions = {}): ClassificationMetrics {
  const n = rows.actual.length
  if (n === 0) throw new RangeError('classificationMetrics needs at least one labeled row')
  const labels = options.classes ? [...options.classes] : sortClassKeys([...rows.actual, ...rows.predicted])
  const index = new Map(labels.map((l, i) => [l, i]))
  const matrix = labels.map(() => labels.map(() => 0))
  let correct = 0
  for (let i = 0; i < n; i++) {
    const a = index.get(rows.actual[i]!)
    const p = index.get(rows.predicted[i]!)
    if (a !== undefined && p !== undefined) matrix[a]![p]!++
    if (rows.actual[i] === rows.predicted[i]) correct++
  }
  const scored = options.positiveClass === undefined ? macroScores(matrix, labels, rows) : binaryScores(matrix, index.get(options.positiveClass))
  const result: ClassificationMetrics = { accuracy: correct / n, ...scored, confusion_matrix: { labels, matrix } }
  if (rows.probabilities) {
    const auc = rocAuc(rows.actual, rows.probabilities, options.positiveClass)
    if (auc !== undefined) result.roc_auc = auc
    const loss = logLoss(rows.actual, rows.probabilities)
    if (loss !== undefined) result.log_loss = loss
  }
  return result
}

function prf(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp)
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn)
  // F1 from counts, as scikit-learn does since 1.x: 2TP / (2TP + FP + FN).
  const f1 = 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  return { precision, recall, f1 }
}

function counts(matrix: number[][], k: number): { tp: number; fp: number; fn: number } {
  let fp = 0
  let fn = 0
  for (let i = 0; i < matrix.length; i++) {
    if (i === k) continue
    fp += matrix[i]![k]!
    fn += matrix[k]![i]!
  }
  return { tp: matrix[k]![k]!, fp, fn }
}

function binaryScores(matrix: number[][], k: number | undefined): { precision: number; recall: number; f1: number } {
  if (k === undefined) return { precision: 0, recall: 0, f1: 0 }
  const { tp, fp, fn } = counts(matrix, k)
  return prf(tp, fp, fn)
}

function macroScores(matrix: number[][], labels: readonly string[], rows: ClassificationRows): { precision: number; recall: number; f1: number } {
  // Macro over the classes present in the labels (scikit-learn's unique_labels), not every known class.
  const present = new Set([...rows.actual, ...rows.predicted])
  let precision = 0
  let recall = 0
  let f1 = 0
  let classes = 0
  labels.forEach((label, k) => {
    if (!present.has(label)) return
    const { tp, fp, fn } = counts(matrix, k)
    const s = prf(tp, fp, fn)
    precision += s.precision
    recall += s.recall
    f1 += s.f1
    classes++
  })
  return { precision: precision / classes, recall: recall / classes, f1: f1 / classes }
}

/** Binary ROC AUC on the positive class's column, or one-vs-rest macro over classes with both outcomes. */
export function rocAuc(actual: readonly string[], probabilities: ReadonlyMap<string, readonly number[]>, positiveClass?: string): number | undefined {
  if (positiveClass !== undefined) {
    const scores = probabilities.get(positiveClass)
    return scores ? rocAucBinary(actual.map((a) => a === positiveClass), scores) : undefined
  }
  let sum = 0
  let classes = 0
  for (const [label, scores] of probabilities) {
    const auc = rocAucBinary(actual.map((a) => a === label), scores)
    if (auc === undefined) continue
    sum += auc
    classes++
  }
  return classes === 0 ? undefined : sum / classes
}

/**
 * Mean negative log-likelihood of the actual class, probabilities clipped to [eps, 1 − eps] and
 * each row renormalized (scikit-learn 1.2's `log_loss`). Undefined when an actual label has no
 * probability column.
 */
export function logLoss(actual: readonly string[], probabilities: ReadonlyMap<string, readonly number[]>): number | undefined {
  const columns = [...probabilities.values()]
  const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS)
  let total = 0
  for (let i = 0; i < actual.length; i++) {
    const own = probabilities.get(actual[i]!)
    if (own === undefined) return undefined
    let rowSum = 0
    for (const column of columns) rowSum += clip(column[i]!)
    total -= Math.log(clip(own[i]!) / rowSum)
  }
  return total / actual.length
}
