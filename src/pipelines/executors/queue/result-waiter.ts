import type { Queue, QueueEvents } from 'bullmq'
import { AppError } from '../../../shared/errors.js'
import type { StepResult } from '../../step-executor.js'
import { asStepResult, failedJobResult, vanishedJobResult } from './queue-protocol.js'

interface Pending {
  readonly promise: Promise<StepResult>
  readonly resolve: (result: StepResult) => void
  readonly reject: (error: Error) => void
}

/**
 * Hands each attempt's result to whoever awaits it. Results live in Redis (the job's return
 * value), so this only needs to notice them: through queue events as they happen, by reading the
 * job when a wait starts (a result that ended before this process came up), and by a periodic
 * sweep that reads every awaited job, so an event missed during a reconnect is not a hang.
 */
export class ResultWaiter {
  readonly #queue: Queue
  readonly #pending = new Map<string, Pending>()
  readonly #sweep: NodeJS.Timeout

  constructor(queue: Queue, events: QueueEvents, sweepIntervalMs: number) {
    this.#queue = queue
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, asStepResult(returnvalue)))
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, failedJobResult(failedReason)))
    this.#sweep = setInterval(() => void this.#sweepAll(), sweepIntervalMs)
    this.#sweep.unref()
  }

  /** One promise per attempt: the same attempt awaited twice is still one job, one result. */
  wait(attemptId: string): Promise<StepResult> {
    const existing = this.#pending.get(attemptId)
    if (existing) return existing.promise
    let resolve!: (result: StepResult) => void
    let reject!: (error: Error) => void
    const promise = new Promise<StepResult>((res, rej) => {
      resolve = res
      reject = rej
    })
    this.#pending.set(attemptId, { promise, resolve, reject })
    return promise
  }

  settle(attemptId: string, result: StepResult): void {
    const pending = this.#pending.get(attemptId)
    if (!pending) return
    this.#pending.delete(attemptId)
    pending.resolve(result)
  }

  /** Reads the job once; settles the wait if it already ended. */
  async check(attemptId: string): Promise<void> {
    if (!this.#pending.has(attemptId)) return
    // State first: a job read before its state could be one that ended in between, without its result.
    const state = await this.#queue.getJobState(attemptId)
    if (state === 'unknown') return this.settle(attemptId, vanishedJobResult(attemptId))
    if (state !== 'completed' && state !== 'failed') return
    const job = await this.#queue.getJob(attemptId)
    if (!job) return this.settle(attemptId, vanishedJobResult(attemptId))
    this.settle(attemptId, state === 'completed' ? asStepResult(job.returnvalue) : failedJobResult(job.failedReason))
  }

  /** The attempts keep running on workers; a new executor on the same queue picks their results up. */
  close(): void {
    clearInterval(this.#sweep)
    const error = new AppError('TEMPORARILY_UNAVAILABLE', 'The queue executor closed while the attempt ran; it keeps running on its worker, and executing it again re-attaches to its result.')
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
  }

  async #sweepAll(): Promise<void> {
    for (const attemptId of [...this.#pending.keys()]) {
      try {
        await this.check(attemptId)
      } catch {
        // Redis unreachable: the next sweep tries again; the waits stay pending meanwhile.
        return
      }
    }
  }
}
