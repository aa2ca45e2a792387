import type { Page } from '../shared/page.js'
import type { LoggedValue } from './prediction-log-store.js'

/**
 * Ground truth for one prediction: one label for a one-row prediction, or an array with one
 * label per row of the request (null for a row nobody labeled).
 */
export type FeedbackLabel = LoggedValue | LoggedValue[]

/** A label joined to its prediction; the prediction's fields are copied so windows need no join. */
export interface PredictionFeedback {
  predictionId: string
  label: FeedbackLabel
  /**
   * The prediction's time (not the label's arrival), milliseconds: a label that arrives days
   * later still counts in the window its prediction was made in.
   */
  predictionTime: number
  model: string
  version: string
  deployment?: string
  /** When the label arrived, milliseconds. */
  receivedAt: number
}

/** Which feedback to list; every field narrows the listing; times bound the prediction time. */
export interface FeedbackQuery {
  model?: string
  version?: string
  deployment?: string
  /** Inclusive lower bound on `predictionTime`, milliseconds. */
  startTime?: number
  /** Exclusive upper bound on `predictionTime`, milliseconds. */
  endTime?: number
  maxResults: number
  pageToken?: string
}

/** Persistence of ground-truth labels, keyed by prediction id. */
export interface FeedbackStore {
  /**
   * Stores every label of the batch or none (atomic). A label for a prediction id already stored
   * replaces it (latest wins, as Arize does); within a batch the last one for an id wins.
   */
  upsertBatch(feedback: readonly PredictionFeedback[]): Promise<void>
  /** The feedback for these ids (any order; ids without feedback are left out). */
  getMany(predictionIds: readonly string[]): Promise<PredictionFeedback[]>
  /**
   * Feedback matching the query, oldest prediction first (ties by prediction id). Throws
   * INVALID_PARAMETER_VALUE for a page token that did not come from a previous page.
   */
  list(query: FeedbackQuery): Promise<Page<PredictionFeedback>>
  /** Deletes feedback on predictions older than `before` (milliseconds), with the logs' retention; returns how many went. */
  deleteOlderThan(before: number): Promise<number>
}
