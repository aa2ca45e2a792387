import { classificationMetrics } from '../monitoring/performance/classification-metrics.js'
import { defaultPositiveClass } from '../monitoring/performance/class-labels.js'
import { regressionMetrics } from '../monitoring/performance/regression-metrics.js'
import type { Predictions } from './model-predictions.js'
import type { ClassLabels } from './training-types.js'

/**
 * Holdout metrics through the same functions performance monitoring uses, so a training run's
 * numbers and a deployment's are comparable. Binary F1 is the positive class's
 * (scikit-learn's `pos_label=1`); multiclass F1 is the macro average.
 */
export function holdoutMetrics(predictions: Predictions, target: Float64Array, classes: ClassLabels | undefined): Record<string, number> {
  if (predictions.task === 'regression') {
    const m = regressionMetrics(Array.from(target), Array.from(predictions.values))
    return { mae: m.mae, rmse: m.rmse, r2: m.r2 }
  }
  const names = classes!.names
  const c = names.length
  const probabilities = new Map(names.map((name, k) => [name, Array.from({ length: target.length }, (_, i) => predictions.probabilities[i * c + k]!)]))
  const m = classificationMetrics(
    {
      actual: Array.from(target, (k) => names[k]!),
      predicted: Array.from(predictions.classIndex, (k) => names[k]!),
      probabilities,
    },
    { classes: names, ...(c === 2 ? { positiveClass: defaultPositiveClass([...names]) } : {}) },
  )
  const out: Record<string, number> = { accuracy: m.accuracy, f1: m.f1 }
  if (m.roc_auc !== undefined) out['roc_auc'] = m.roc_auc
  if (m.log_loss !== undefined) out['log_loss'] = m.log_loss
  return out
}
