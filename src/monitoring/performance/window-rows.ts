import type { FeedbackLabel } from '../feedback-store.js'
import type { LoggedValue, PredictionLog } from '../prediction-log-store.js'
import type { OutputLayout } from './output-layout.js'

/** One window's rows, columnar: prediction, probabilities and (where labeled) the truth. */
export class WindowRows {
  readonly start: number
  readonly end: number
  readonly predicted: LoggedValue[] = []
  /** One array per probability column of the layout. */
  readonly probabilities: Array<Array<number | null>>
  /** undefined where the row has no label yet. */
  readonly actual: Array<LoggedValue | undefined> = []
  labeled = 0

  constructor(start: number, end: number, probabilityColumns: number) {
    this.start = start
    this.end = end
    this.probabilities = Array.from({ length: probabilityColumns }, () => [])
  }

  get predictions(): number {
    return this.predicted.length
  }

  /** Adds every row of a successful log, with its label if one arrived. */
  add(log: PredictionLog, layout: OutputLayout, label: FeedbackLabel | undefined): void {
    const predicted = layout.predictionColumn === undefined ? undefined : log.outputs[layout.predictionColumn]
    const probabilities = layout.probabilityColumns.map((c) => log.outputs[c])
    for (let r = 0; r < log.rows; r++) {
      this.predicted.push(predicted?.[r] ?? null)
      probabilities.forEach((column, k) => {
        const p = column?.[r]
        this.probabilities[k]!.push(typeof p === 'number' && Number.isFinite(p) ? p : null)
      })
      const truth = label === undefined ? undefined : Array.isArray(label) ? label[r] : r === 0 ? label : undefined
      const actual = truth === null ? undefined : truth
      this.actual.push(actual)
      if (actual !== undefined) this.labeled++
    }
  }
}
