import type { Counter } from 'prom-client'
import { SYSTEM_CLOCK, type Clock } from '../shared/clock.js'
import { invalidParameter } from '../shared/errors.js'
import type { FeedbackLabel, FeedbackStore, PredictionFeedback } from './feedback-store.js'
import type { LoggedValue, PredictionLog, PredictionLogStore } from './prediction-log-store.js'

/** Labels one request may carry; larger files go in several requests (`plinth feedback` does that). */
export const MAX_FEEDBACK_PER_REQUEST = 10_000
/** Unknown ids echoed back; the count covers the rest. */
export const MAX_UNKNOWN_IDS_REPORTED = 100
const MAX_ID_LENGTH = 128
const MAX_LABEL_LENGTH = 1000
/** Logs fetched per getMany call. */
const LOOKUP_CHUNK = 1000

/** One label as the caller sent it, before validation. */
export interface FeedbackInput {
  predictionId: unknown
  label: unknown
}

export interface FeedbackResult {
  /** Labels stored (matched to a logged prediction). */
  accepted: number
  unknownCount: number
  /** The first unknown ids, in request order. */
  unknownIds: string[]
}

export interface FeedbackServiceOptions {
  logs: PredictionLogStore
  feedback: FeedbackStore
  /** `plinth_feedback_total`, when the process exports metrics. */
  counter?: Counter<'outcome'>
  clock?: Clock
}

/**
 * Joins ground truth to logged predictions by prediction id. The label takes the prediction's
 * time, model, version and deployment, so it counts in the window the prediction was made in
 * however late it arrives. Unknown ids are counted and reported, never an error: labels often
 * come from a system that saw more traffic than was logged (sampling, retention).
 */
export class FeedbackService {
  readonly #logs: PredictionLogStore
  readonly #feedback: FeedbackStore
  readonly #counter: Counter<'outcome'> | undefined
  readonly #clock: Clock

  constructor(options: FeedbackServiceOptions) {
    this.#logs = options.logs
    this.#feedback = options.feedback
    this.#counter = options.counter
    this.#clock = options.clock ?? SYSTEM_CLOCK
  }

  /**
   * Validates every label, then stores the matched ones in one atomic batch. Throws
   * INVALID_PARAMETER_VALUE, naming the item, for a missing or malformed id or label, a label
   * whose arity differs from the prediction's rows, or more than MAX_FEEDBACK_PER_REQUEST items;
   * then nothing is stored.
   */
  async submit(items: readonly FeedbackInput[]): Promise<FeedbackResult> {
    if (items.length === 0) throw invalidParameter("No feedback given: send {prediction_id, label} or {feedback: [{prediction_id, label}, …]}.")
    if (items.length > MAX_FEEDBACK_PER_REQUEST) {
      throw invalidParameter(`${items.length} labels in one request; send at most ${MAX_FEEDBACK_PER_REQUEST} per request (split the file).`)
    }
    const parsed = items.map((item, i) => ({ id: checkId(item.predictionId, where(items, i)), label: checkLabel(item.label, where(items, i)) }))
    const logs = await this.#lookup(parsed.map((p) => p.id))
    const receivedAt = this.#clock.now()
    const matched: PredictionFeedback[] = []
    const unknown: string[] = []
    parsed.forEach(({ id, label }, i) => {
      const log = logs.get(id)
      if (!log) return void unknown.push(id)
      matched.push({
        predictionId: id,
        label: fitArity(label, log, where(items, i)),
        predictionTime: log.time,
        model: log.model,
        version: log.version,
        ...(log.deployment === undefined ? {} : { deployment: log.deployment }),
        receivedAt,
      })
    })
    await this.#feedback.upsertBatch(matched)
    this.#counter?.inc({ outcome: 'matched' }, matched.length)
    this.#counter?.inc({ outcome: 'unknown' }, unknown.length)
    return { accepted: matched.length, unknownCount: unknown.length, unknownIds: unknown.slice(0, MAX_UNKNOWN_IDS_REPORTED) }
  }

  /**
   * The stored labels of the given predictions (those without one are left out), for showing
   * predictions beside their ground truth. At most MAX_FEEDBACK_PER_REQUEST ids at once.
   */
  async labelsOf(ids: readonly string[]): Promise<PredictionFeedback[]> {
    if (ids.length > MAX_FEEDBACK_PER_REQUEST) throw invalidParameter(`${ids.length} prediction ids in one request; ask for at most ${MAX_FEEDBACK_PER_REQUEST}.`)
    return ids.length === 0 ? [] : this.#feedback.getMany([...new Set(ids)])
  }

  async #lookup(ids: readonly string[]): Promise<Map<string, PredictionLog>> {
    const unique = [...new Set(ids)]
    const found = new Map<string, PredictionLog>()
    for (let at = 0; at < unique.length; at += LOOKUP_CHUNK) {
      for (const log of await this.#logs.getMany(unique.slice(at, at + LOOKUP_CHUNK))) found.set(log.predictionId, log)
    }
    return found
  }
}

function where(items: readonly unknown[], i: number): string {
  return items.length === 1 ? '' : `feedback[${i}]`
}

function field(at: string, name: string): string {
  return at === '' ? name : `${at}.${name}`
}

function checkId(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidParameter(`Missing or empty '${field(at, 'prediction_id')}': give the id returned in the X-Prediction-Id header of the prediction.`)
  }
  if (value.length > MAX_ID_LENGTH) throw invalidParameter(`'${field(at, 'prediction_id')}' is longer than ${MAX_ID_LENGTH} characters; it is not a prediction id.`)
  return value
}

function checkScalar(value: unknown, name: string, allowNull: boolean): LoggedValue {
  if (value === null && allowNull) return null
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidParameter(`'${name}' is not a finite number (NaN and infinities cannot be ground truth).`)
    return value
  }
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    if (value.length > MAX_LABEL_LENGTH) throw invalidParameter(`'${name}' is longer than ${MAX_LABEL_LENGTH} characters.`)
    return value
  }
  if (value === undefined) throw invalidParameter(`Missing '${name}': give the true class or value of the prediction.`)
  throw invalidParameter(`'${name}' must be a number, a string or a boolean${allowNull ? ' (or null for an unlabeled row)' : ''}, not ${value === null ? 'null' : typeof value}.`)
}

function checkLabel(value: unknown, at: string): FeedbackLabel {
  const name = field(at, 'label')
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalidParameter(`'${name}' is an empty array; give one label per row of the prediction.`)
    return value.map((v, k) => checkScalar(v, `${name}[${k}]`, true))
  }
  return checkScalar(value, name, false)
}

/** A one-row prediction takes a scalar (or a one-element array); an n-row one an array of n labels. */
function fitArity(label: FeedbackLabel, log: PredictionLog, at: string): FeedbackLabel {
  const name = field(at, 'label')
  if (log.rows === 1) {
    if (!Array.isArray(label)) return label
    if (label.length === 1 && label[0] !== null) return label[0]!
    throw invalidParameter(`'${name}' for prediction '${log.predictionId}' has ${label.length} labels, but the prediction has 1 row: send one label.`)
  }
  if (!Array.isArray(label) || label.length !== log.rows) {
    const got = Array.isArray(label) ? `${label.length} labels` : 'one label'
    throw invalidParameter(`'${name}' for prediction '${log.predictionId}' has ${got}, but the prediction has ${log.rows} rows: send an array of ${log.rows} labels (null for a row without one).`)
  }
  return label
}
