import type { Queue, QueueEvents } from 'bullmq'
import type { Redis } from 'ioredis'
import { AppError } from '../../../shared/errors.js'
import type { StepExecutor, StepResult, StepTask } from '../../step-executor.js'
import { bullConnection, loadBullMq, openRedis } from './bullmq-loader.js'
import {
  cancelChannel,
  cancelKey,
  cancelledBeforeStart,
  checkAttemptId,
  checkQueueName,
  checkRedisUrl,
  DEFAULT_QUEUE_NAME,
  DEFAULT_RETAIN_FINISHED_SECONDS,
  failedResult,
  QUEUE_KEY_PREFIX,
  type StepJobData,
} from './queue-protocol.js'
import { ResultWaiter } from './result-waiter.js'
import { codecFromEnv, sealSecrets, SecretEnvCodec } from './secret-env-codec.js'

export interface QueueExecutorOptions {
  readonly redisUrl: string
  readonly queueName?: string
  /** How long finished attempts (and their results) stay in Redis for re-attaching. */
  readonly retainFinishedSeconds?: number
  /** How often awaited jobs are read directly, in case a queue event was missed. */
  readonly sweepIntervalMs?: number
  /** Connection trouble BullMQ reports while it reconnects; awaited attempts stay pending meanwhile. */
  readonly onError?: (error: Error) => void
  /** Seals secret env values in Redis; PLINTH_QUEUE_SECRET_KEY unless given. Workers need the same. */
  readonly secretKey?: string
}

interface Parts {
  readonly queue: Queue<StepJobData, StepResult>
  readonly events: QueueEvents
  readonly redis: Redis
  readonly waiter: ResultWaiter
}

// Not yet started jobs that can be taken off the queue instead of waiting for a worker to refuse them.
const REMOVABLE_STATES = new Set(['waiting', 'prioritized', 'delayed', 'paused', 'wait'])

/**
 * Runs attempts on `plinth worker` processes through a BullMQ queue on Redis. The job id is the
 * attemptId, so sending an attempt again (the runner after a server restart) attaches to the job
 * already queued or finished instead of running it twice. BullMQ never retries a job here: a step
 * that fails is the runner's to retry; only a job whose worker died is re-delivered (see QueueWorker).
 */
export class QueueExecutor implements StepExecutor {
  readonly kind = 'queue' as const
  readonly #redisUrl: string
  readonly #queueName: string
  readonly #retainSeconds: number
  readonly #sweepIntervalMs: number
  readonly #onError: (error: Error) => void
  readonly #codec: SecretEnvCodec | undefined
  #parts: Promise<Parts> | undefined
  #closed = false

  constructor(options: QueueExecutorOptions) {
    this.#redisUrl = checkRedisUrl(options.redisUrl)
    this.#queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME)
    this.#retainSeconds = options.retainFinishedSeconds ?? DEFAULT_RETAIN_FINISHED_SECONDS
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 15_000
    this.#codec = options.secretKey ? new SecretEnvCodec(options.secretKey) : codecFromEnv()
    this.#onError = options.onError ?? ((error) => process.emitWarning(`queue executor: ${error.message}`))
  }

  async execute(task: StepTask, signal: AbortSignal): Promise<StepResult> {
    checkAttemptId(task.attemptId)
    if (signal.aborted) return cancelledBeforeStart()
    let sealed: StepTask
    try {
      sealed = sealSecrets(task, this.#codec)
    } catch (error) {
      return failedResult((error as Error).message)
    }
    const parts = await this.#open()
    // Waiting starts before the job exists, so a result that comes at once is not missed.
    const result = parts.waiter.wait(task.attemptId)
    const onAbort = () => void this.#cancel(parts, task.attemptId).catch(() => undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      await parts.queue.add(task.step, { task: sealed, enqueuedAt: Date.now() }, this.#jobOptions(task.attemptId))
      await parts.waiter.check(task.attemptId)
      return await result
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const parts = await this.#parts?.catch(() => undefined)
    if (!parts) return
    parts.waiter.close()
    await Promise.allSettled([parts.events.close(), parts.queue.close(), parts.redis.quit()])
  }

  #jobOptions(attemptId: string) {
    const age = this.#retainSeconds
    return { jobId: attemptId, attempts: 1, removeOnComplete: { age }, removeOnFail: { age } }
  }

  /**
   * Raises the attempt's cancel flag and tells the workers; a job no worker has taken yet is
   * removed and answered here, since no worker would ever answer it.
   */
  async #cancel(parts: Parts, attemptId: string): Promise<void> {
    await parts.redis.set(cancelKey(this.#queueName, attemptId), '1', 'EX', this.#retainSeconds)
    await parts.redis.publish(cancelChannel(this.#queueName), attemptId)
    const state = await parts.queue.getJobState(attemptId)
    // remove() refuses a job a worker holds the lock of, so a job taken meanwhile is left to its worker.
    if (REMOVABLE_STATES.has(state) && (await parts.queue.remove(attemptId)) === 1) {
      parts.waiter.settle(attemptId, cancelledBeforeStart())
    }
  }

  #open(): Promise<Parts> {
    if (this.#closed) return Promise.reject(new AppError('INVALID_STATE', 'The queue executor is closed.'))
    this.#parts ??= this.#connect().catch((error: unknown) => {
      this.#parts = undefined
      throw error
    })
    return this.#parts
  }

  async #connect(): Promise<Parts> {
    const { Queue, QueueEvents } = await loadBullMq()
    const redis = await openRedis(this.#redisUrl, 'plinth-queue-executor')
    const connection = bullConnection(this.#redisUrl)
    const queue = new Queue<StepJobData, StepResult>(this.#queueName, { connection, prefix: QUEUE_KEY_PREFIX })
    const events = new QueueEvents(this.#queueName, { connection, prefix: QUEUE_KEY_PREFIX })
    queue.on('error', this.#onError)
    events.on('error', this.#onError)
    redis.on('error', this.#onError)
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()])
    return { queue, events, redis, waiter: new ResultWaiter(queue, events, this.#sweepIntervalMs) }
  }
}
