import type { Page } from '../shared/page.js'

/** A value of one feature or output in one row; null where it was NaN, missing or not JSON-safe. */
export type LoggedValue = number | string | boolean | null

/**
 * Feature or output values by column, every column of one record the same length (the request's
 * rows). Tensors are flattened into columns: a `[n]` tensor `x` is column `x`, a `[n, k]` tensor
 * is columns `x[0]` … `x[k-1]`. Columns, not rows, because drift and performance read a column at
 * a time and a batch of n rows then costs one array per column instead of n objects.
 */
export type LoggedColumns = Record<string, LoggedValue[]>

/** One served inference request, as logged for monitoring. */
export interface PredictionLog {
  /** Made by the server and returned to the caller, so feedback can be joined later. */
  predictionId: string
  model: string
  version: string
  /** The deployment that routed the request, or undefined when the model was called directly. */
  deployment?: string
  /** When the request arrived, milliseconds since the epoch; it assigns the record's time window. */
  time: number
  /** Rows in the request. */
  rows: number
  inputs: LoggedColumns
  /** Empty when the request failed. */
  outputs: LoggedColumns
  latencyMs: number
  /** The error code of a request that reached a model and failed (bad input, overload, model error). */
  error?: string
}

/** Which prediction logs to list; every field narrows the listing. */
export interface PredictionLogQuery {
  model?: string
  version?: string
  deployment?: string
  /** Inclusive lower bound on `time`, milliseconds. */
  startTime?: number
  /** Exclusive upper bound on `time`, milliseconds. */
  endTime?: number
  maxResults: number
  pageToken?: string
}

/** Persistence of prediction logs: written in batches off the request path, read for monitoring. */
export interface PredictionLogStore {
  /**
   * Inserts every log of the batch or none of them (atomic), so a batch the logger counts as
   * flushed is wholly on disk. A prediction id already stored is skipped, so a batch retried
   * after a lost acknowledgement is not doubled.
   */
  appendBatch(logs: readonly PredictionLog[]): Promise<void>
  /**
   * Logs matching the query, oldest first (ties by prediction id). Throws INVALID_PARAMETER_VALUE
   * for a page token that did not come from a previous page.
   */
  list(query: PredictionLogQuery): Promise<Page<PredictionLog>>
  /** The logs with these ids (any order; unknown ids are left out). */
  getMany(predictionIds: readonly string[]): Promise<PredictionLog[]>
  /** Deletes logs older than `before` (milliseconds); returns how many went. */
  deleteOlderThan(before: number): Promise<number>
}
