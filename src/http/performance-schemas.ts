import { Type as T, type Static, type TSchema } from '@sinclair/typebox'
import type { PerformanceQuery, PerformanceReport } from '../monitoring/performance/performance-service.js'
import type { WindowPerformance } from '../monitoring/performance/window-metrics.js'
import { parseTime, parseWindow } from '../monitoring/performance/windows.js'
import type { PerformanceTask } from '../monitoring/performance/output-layout.js'

/**
 * Wire shapes of `/api/plinth/v1/feedback` and `/api/plinth/v1/monitoring/performance`:
 * snake_case, times in milliseconds, class labels as strings.
 */
const Str = T.String()
const Num = T.Number()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const Strict = { additionalProperties: false }

const FeedbackItem = T.Object({ prediction_id: Str, label: T.Unknown() }, Strict)

const ConfusionMatrix = T.Object({ labels: T.Array(Str), matrix: T.Array(T.Array(T.Integer())) })
const Metrics = T.Object({
  accuracy: Opt(Num),
  precision: Opt(Num),
  recall: Opt(Num),
  f1: Opt(Num),
  roc_auc: Opt(Num),
  log_loss: Opt(Num),
  confusion_matrix: Opt(ConfusionMatrix),
  mae: Opt(Num),
  rmse: Opt(Num),
  mape: Opt(Num),
  mape_zero_targets: Opt(T.Integer()),
  r2: Opt(Num),
})
const Estimated = T.Object({ accuracy: Opt(Num), precision: Opt(Num), recall: Opt(Num), f1: Opt(Num), roc_auc: Opt(Num), calibrated: Opt(T.Boolean()) })
const Window = T.Object({
  start_time: T.Integer(),
  end_time: T.Integer(),
  predictions: T.Integer(),
  labeled: T.Integer(),
  task: Str,
  metrics: Metrics,
  estimated: Estimated,
})
const Layout = T.Object({
  task: Str,
  prediction_column: Opt(Str),
  probability_columns: T.Array(Str),
  classes: Opt(T.Array(Str)),
  positive_class: Opt(Str),
})

const PerformanceQueryString = T.Object(
  {
    model: Opt(Str),
    version: Opt(Str),
    deployment: Opt(Str),
    window: Opt(Str),
    start_time: Opt(Str),
    end_time: Opt(Str),
    task: Opt(T.Union([T.Literal('classification'), T.Literal('regression')])),
    prediction_column: Opt(Str),
    probability_columns: Opt(T.Array(Str)),
    positive_class: Opt(Str),
    classes: Opt(T.Array(Str)),
    reference_start_time: Opt(Str),
    reference_end_time: Opt(Str),
  },
  Strict,
)

export const PerformanceSchemas = {
  feedback: {
    body: T.Object({ prediction_id: Opt(Str), label: Opt(T.Unknown()), feedback: Opt(T.Array(FeedbackItem)) }, Strict),
    response: { 200: T.Object({ accepted: T.Integer(), unknown_count: T.Integer(), unknown_ids: T.Array(Str) }) },
  },
  performance: {
    querystring: PerformanceQueryString,
    response: { 200: T.Object({ windows: T.Array(Window), layout: Opt(Layout), calibrated: T.Boolean(), warnings: T.Array(Str) }) },
  },
}

export type FeedbackBody = Static<typeof PerformanceSchemas.feedback.body>
type QueryWire = Static<typeof PerformanceQueryString>

/** `a,b` and repeated parameters both give a list. */
function list(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}

export function performanceQueryFromWire(q: QueryWire): PerformanceQuery {
  const query: PerformanceQuery = { windowMs: parseWindow(q.window) }
  const set = <K extends keyof PerformanceQuery>(key: K, value: PerformanceQuery[K] | undefined) => {
    if (value !== undefined) query[key] = value
  }
  set('model', q.model)
  set('version', q.version)
  set('deployment', q.deployment)
  set('startTime', parseTime(q.start_time, 'start_time'))
  set('endTime', parseTime(q.end_time, 'end_time'))
  set('task', q.task as PerformanceTask | undefined)
  set('predictionColumn', q.prediction_column)
  set('probabilityColumns', list(q.probability_columns))
  set('positiveClass', q.positive_class)
  set('classes', list(q.classes))
  set('referenceStartTime', parseTime(q.reference_start_time, 'reference_start_time'))
  set('referenceEndTime', parseTime(q.reference_end_time, 'reference_end_time'))
  return query
}

export function windowToWire(w: WindowPerformance) {
  return { start_time: w.startTime, end_time: w.endTime, predictions: w.predictions, labeled: w.labeled, task: w.task, metrics: w.metrics, estimated: w.estimated }
}

export function performanceToWire(report: PerformanceReport) {
  const layout = report.layout && {
    task: report.layout.task,
    prediction_column: report.layout.predictionColumn,
    probability_columns: report.layout.probabilityColumns,
    classes: report.layout.classes,
    positive_class: report.layout.positiveClass,
  }
  return { windows: report.windows.map(windowToWire), layout, calibrated: report.calibrated, warnings: report.warnings }
}
