import { SYSTEM_CLOCK, type Clock } from '../../shared/clock.js'
import { invalidParameter } from '../../shared/errors.js'
import type { FeedbackLabel, FeedbackStore } from '../feedback-store.js'
import type { PredictionLog, PredictionLogStore } from '../prediction-log-store.js'
import { detectLayout, type OutputLayout, type OutputOptions } from './output-layout.js'
import { classificationWindow, classSetup, fitCbpe, regressionWindow, type WindowPerformance } from './window-metrics.js'
import { WindowRows } from './window-rows.js'
import { windowStart, windowStarts } from './windows.js'

/** Logs read per page. */
const PAGE = 1000
/** Windows asked for without a start time. */
const DEFAULT_WINDOWS = 30

export interface PerformanceQuery extends OutputOptions {
  model?: string
  version?: string
  deployment?: string
  /** Window length in milliseconds (see `parseWindow`). */
  windowMs: number
  /**
   * A time windows are aligned to; default the epoch (UTC hours and days). A monitor passes its
   * window's start, so its one window is exactly the range it asked for.
   */
  windowOrigin?: number
  /** Inclusive, milliseconds; defaults to 30 windows before `endTime`. */
  startTime?: number
  /** Exclusive, milliseconds; defaults to now. */
  endTime?: number
  /**
   * The labeled period CBPE calibrates on; defaults to the labeled rows of the queried range
   * (NannyML calls this the reference period).
   */
  referenceStartTime?: number
  referenceEndTime?: number
}

export interface PerformanceReport {
  /** Oldest first, every window of the range, empty ones included so charts have no gaps. */
  windows: WindowPerformance[]
  /** How the outputs were read; undefined when no successful prediction was logged. */
  layout?: OutputLayout & { positiveClass?: string }
  /** Whether CBPE's isotonic calibration was used (it is only when it lowers the calibration error on the reference). */
  calibrated: boolean
  warnings: string[]
}

export interface PerformanceServiceOptions {
  logs: PredictionLogStore
  feedback: FeedbackStore
  clock?: Clock
  /** Most logs one report reads; a wider request is refused rather than filling memory. */
  maxLogs?: number
}

/**
 * Performance over time per model, version and deployment: realized metrics where labels have
 * arrived, CBPE estimates where the classifier gave probabilities. Labels count in the window of
 * their prediction's time. Reads the PredictionLogStore and FeedbackStore ports only, so monitors
 * can call it on a schedule.
 */
export class PerformanceService {
  readonly #logs: PredictionLogStore
  readonly #feedback: FeedbackStore
  readonly #clock: Clock
  readonly #maxLogs: number

  constructor(options: PerformanceServiceOptions) {
    this.#logs = options.logs
    this.#feedback = options.feedback
    this.#clock = options.clock ?? SYSTEM_CLOCK
    this.#maxLogs = options.maxLogs ?? 1_000_000
  }

  /**
   * Throws INVALID_PARAMETER_VALUE without a model or deployment, for an empty or reversed
   * range, more than 10,000 windows, more logs than maxLogs, or output options that do not fit
   * the logged outputs.
   */
  async performance(query: PerformanceQuery): Promise<PerformanceReport> {
    if (query.model === undefined && query.deployment === undefined) {
      throw invalidParameter("Give a model or a deployment: performance mixes no models (e.g. ?deployment=churn-api or ?model=churn&version=3).")
    }
    const end = query.endTime ?? this.#clock.now()
    const start = query.startTime ?? windowStart(end - 1, query.windowMs) - (DEFAULT_WINDOWS - 1) * query.windowMs
    if (!(start < end)) throw invalidParameter(`start_time (${start}) must be before end_time (${end}).`)
    const origin = query.windowOrigin ?? 0
    const starts = windowStarts(start, end, query.windowMs, origin)
    const windows = new Map(starts.map((s) => [s, undefined as WindowRows | undefined]))
    let layout: OutputLayout | undefined
    await this.#read(query, start, end, (log, label) => {
      layout ??= detectLayout(log.outputs, query)
      const s = windowStart(log.time, query.windowMs, origin)
      let w = windows.get(s)
      if (!w) windows.set(s, (w = new WindowRows(s, s + query.windowMs, layout.probabilityColumns.length)))
      w.add(log, layout, label)
    })
    const filled = starts.map((s) => windows.get(s) ?? new WindowRows(s, s + query.windowMs, layout?.probabilityColumns.length ?? 0))
    if (!layout) return { windows: filled.map((w) => emptyWindow(w, query)), calibrated: false, warnings: [] }
    if (layout.task === 'regression') return { windows: filled.map(regressionWindow), layout, calibrated: false, warnings: [] }
    const setup = classSetup(filled, layout, query)
    const reference = query.referenceStartTime === undefined && query.referenceEndTime === undefined ? filled : await this.#reference(query, layout)
    const calibration = fitCbpe(reference, layout, setup)
    return {
      windows: filled.map((w) => classificationWindow(w, layout!, setup, calibration)),
      layout: { ...layout, ...(setup.probabilityClasses ? { classes: setup.probabilityClasses } : {}), ...(setup.positiveClass === undefined ? {} : { positiveClass: setup.positiveClass }) },
      calibrated: calibration.calibrated,
      warnings: setup.warnings,
    }
  }

  async #reference(query: PerformanceQuery, layout: OutputLayout): Promise<WindowRows[]> {
    const start = query.referenceStartTime ?? 0
    const end = query.referenceEndTime ?? this.#clock.now()
    if (!(start < end)) throw invalidParameter(`reference_start_time (${start}) must be before reference_end_time (${end}).`)
    const rows = new WindowRows(start, end, layout.probabilityColumns.length)
    await this.#read(query, start, end, (log, label) => {
      if (label !== undefined) rows.add(log, layout, label)
    })
    return [rows]
  }

  /** Every successful log of the range in time order, with its label if one arrived. */
  async #read(query: PerformanceQuery, start: number, end: number, visit: (log: PredictionLog, label: FeedbackLabel | undefined) => void): Promise<void> {
    let pageToken: string | undefined
    let read = 0
    do {
      const page = await this.#logs.list({ ...filterOf(query), startTime: start, endTime: end, maxResults: PAGE, ...(pageToken ? { pageToken } : {}) })
      read += page.items.length
      if (read > this.#maxLogs) {
        throw invalidParameter(`More than ${this.#maxLogs} logged predictions in the range; ask for a shorter range (start_time, end_time) or a narrower filter.`)
      }
      const ok = page.items.filter((l) => l.error === undefined && l.rows > 0)
      const labels = new Map((await this.#feedback.getMany(ok.map((l) => l.predictionId))).map((f) => [f.predictionId, f.label]))
      for (const log of ok) visit(log, labels.get(log.predictionId))
      pageToken = page.nextPageToken
    } while (pageToken)
  }
}

function filterOf(query: PerformanceQuery): { model?: string; version?: string; deployment?: string } {
  return {
    ...(query.model === undefined ? {} : { model: query.model }),
    ...(query.version === undefined ? {} : { version: query.version }),
    ...(query.deployment === undefined ? {} : { deployment: query.deployment }),
  }
}

/** A range with no successful prediction: empty windows of the task the caller named (classification by default). */
function emptyWindow(w: WindowRows, query: PerformanceQuery): WindowPerformance {
  return { startTime: w.start, endTime: w.end, predictions: 0, labeled: 0, task: query.task ?? 'classification', metrics: {}, estimated: {} }
}
