import { quantile } from '../../monitoring/monitors/monitor-evaluation.js'
import { CbpeCalibration } from '../../monitoring/performance/cbpe.js'
import { defaultPositiveClass, sortClassKeys } from '../../monitoring/performance/class-labels.js'
import { detectLayout, type OutputLayout, type PerformanceTask } from '../../monitoring/performance/output-layout.js'
import { classSetup, classificationWindow, regressionWindow } from '../../monitoring/performance/window-metrics.js'
import { WindowRows } from '../../monitoring/performance/window-rows.js'
import type { LoggedColumns } from '../../monitoring/prediction-log-store.js'
import type { Scored } from './model-scoring.js'

export interface MetricOptions {
  readonly task?: PerformanceTask
  /** Probability at or above which a single-score binary classifier predicts the positive class. */
  readonly threshold: number
}

/** A column for the thresholded class, named so it cannot meet a model output. */
const THRESHOLDED = '\u0000thresholded'

/**
 * The score column of a binary classifier that gives one probability and no label (a MatMul +
 * Sigmoid export, or `probabilities` of width 1); undefined for any other layout.
 */
function scoreColumn(layout: OutputLayout, outputs: LoggedColumns): string | undefined {
  if (layout.task !== 'classification') return undefined
  if (layout.probabilityColumns.length === 1 && layout.predictionColumn === undefined) return layout.probabilityColumns[0]
  const column = layout.predictionColumn === undefined ? undefined : outputs[layout.predictionColumn]
  const fractional = column?.some((v) => typeof v === 'number' && !Number.isInteger(v))
  return layout.probabilityColumns.length === 0 && fractional ? layout.predictionColumn : undefined
}

/** Window rows of the whole holdout: predictions, probabilities and every row labeled. */
function holdoutRows(outputs: LoggedColumns, layout: OutputLayout, actual: readonly string[], score: string | undefined, threshold: number): WindowRows {
  const rows = new WindowRows(0, 0, layout.probabilityColumns.length)
  const classes = sortClassKeys(actual)
  const positive = defaultPositiveClass(classes.length > 0 ? classes : ['1'])
  const negative = classes.find((c) => c !== positive) ?? (positive === '0' ? '1' : '0')
  for (let r = 0; r < actual.length; r++) {
    const p = score === undefined ? undefined : outputs[score]![r]
    rows.predicted.push(score === undefined ? (outputs[layout.predictionColumn ?? '']?.[r] ?? null) : typeof p === 'number' ? (p >= threshold ? positive : negative) : null)
    layout.probabilityColumns.forEach((c, k) => {
      const v = outputs[c]![r]
      rows.probabilities[k]!.push(typeof v === 'number' && Number.isFinite(v) ? v : null)
    })
    rows.actual.push(actual[r])
    rows.labeled++
  }
  return rows
}

/**
 * Metrics of one model on the holdout, computed by the same functions as monitoring's
 * performance over time (so an offline F1 and the dashboard's F1 mean the same), plus latency.
 */
export function evaluationMetrics(scored: Scored, actual: readonly string[], options: MetricOptions): { task: PerformanceTask; metrics: Record<string, number> } {
  let layout = detectLayout(scored.outputs, options.task ? { task: options.task } : {})
  const score = scoreColumn(layout, scored.outputs)
  if (score !== undefined) layout = { task: 'classification', predictionColumn: THRESHOLDED, probabilityColumns: [score] }
  const rows = holdoutRows(scored.outputs, layout, actual, score, options.threshold)
  const window =
    layout.task === 'regression'
      ? regressionWindow(rows)
      : classificationWindow(rows, layout, classSetup([rows], layout, {}), CbpeCalibration.none())
  const metrics: Record<string, number> = {}
  for (const [key, value] of Object.entries(window.metrics)) {
    if (typeof value === 'number' && Number.isFinite(value)) metrics[key] = value
  }
  const latencies = Float64Array.from(scored.batchLatenciesMs)
  metrics.latency_p50_ms = quantile(latencies, 0.5) ?? 0
  metrics.latency_p99_ms = quantile(latencies, 0.99) ?? 0
  metrics.rows = actual.length
  return { task: layout.task, metrics }
}
