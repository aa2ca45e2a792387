import { hostname } from 'node:os'
import { AppError } from '../../../shared/errors.js'
import type { StepResult, StepTask } from '../../step-executor.js'

/**
 * What the server (QueueExecutor) and `plinth worker` agree on: key names, job data, and how a
 * BullMQ job's end maps to a StepResult. One file so both sides change together.
 */

export const DEFAULT_QUEUE_NAME = 'plinth-steps'
/** BullMQ's key prefix; every key Plinth writes for the queue starts with it. */
export const QUEUE_KEY_PREFIX = 'plinth'
/** Finished jobs (and their results) stay this long so a restarted server can re-attach to them. */
export const DEFAULT_RETAIN_FINISHED_SECONDS = 7 * 24 * 3600

export type AttemptRunner = (task: StepTask, signal: AbortSignal) => Promise<StepResult>

export interface StepJobData {
  readonly task: StepTask
  /** Epoch ms the server enqueued the attempt, for enqueue-to-start latency. */
  readonly enqueuedAt: number
}

/** A flag per cancelled attempt: a worker that takes the job later (or reconnects) still sees it. */
export function cancelKey(queueName: string, attemptId: string): string {
  return `${QUEUE_KEY_PREFIX}:${queueName}:cancel:${attemptId}`
}

/** Workers subscribe here so a running attempt is killed at once, not at its next poll. */
export function cancelChannel(queueName: string): string {
  return `${QUEUE_KEY_PREFIX}:${queueName}:cancel`
}

export function workerIdentity(): string {
  return `${hostname()}:${process.pid}`
}

// BullMQ's own rules for custom job ids; checked here so the message says what to change.
export function checkAttemptId(attemptId: string): void {
  if (attemptId === '' || attemptId.includes(':') || /^\d+$/.test(attemptId)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `attemptId '${attemptId}' cannot be a queue job id: it must be non-empty, not all digits, and without ':'.`)
  }
}

export function checkQueueName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `--queue must be 1 to 100 letters, digits, '_', '.' or '-'; got '${name}'.`)
  }
  return name
}

export function checkRedisUrl(url: string, flag = '--redis-url'): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a Redis URL such as redis://127.0.0.1:6379; got '${url}'.`)
  }
  return url
}

function emptyResult(outcome: StepResult['outcome'], error: string, at = Date.now()): StepResult {
  return { outcome, error, outputParams: {}, outputArtifacts: {}, metrics: {}, startedAt: at, endedAt: at }
}

export function failedResult(error: string): StepResult {
  return emptyResult('failed', error)
}

export function cancelledBeforeStart(): StepResult {
  return emptyResult('cancelled', 'cancelled before a worker started it')
}

// BullMQ's wording when a job went stalled more often than maxStalledCount allows.
const STALLED_TOO_OFTEN = /stalled more than allowable limit/i

/** A job BullMQ failed (the runner threw, or its workers kept dying) as the runner sees it. */
export function failedJobResult(failedReason: string | undefined): StepResult {
  const reason = failedReason ?? 'unknown reason'
  if (STALLED_TOO_OFTEN.test(reason)) {
    return emptyResult('lost', 'every worker that took this attempt stopped answering (killed, or cut off from Redis) before it ended')
  }
  return emptyResult('failed', `the worker could not run the attempt: ${reason}`)
}

export function vanishedJobResult(attemptId: string): StepResult {
  return emptyResult('lost', `the queue no longer holds attempt ${attemptId} (removed from Redis, or Redis lost its data)`)
}

/** Return values travel as JSON; anything not shaped like a StepResult is a worker bug, reported as such. */
export function asStepResult(value: unknown): StepResult {
  const parsed = typeof value === 'string' ? safeJson(value) : value
  if (parsed !== null && typeof parsed === 'object' && typeof (parsed as StepResult).outcome === 'string') {
    return parsed as StepResult
  }
  return emptyResult('failed', 'the worker returned no step result (is it an older or foreign worker on this queue?)')
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
