import type { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { AppError } from '../../../shared/errors.js'
import type { StepOutcome, StepResult, StepTask } from '../../step-executor.js'
import { bullConnection, loadBullMq, openRedis } from './bullmq-loader.js'
import {
  cancelChannel,
  cancelKey,
  cancelledBeforeStart,
  checkQueueName,
  checkRedisUrl,
  DEFAULT_QUEUE_NAME,
  failedResult,
  QUEUE_KEY_PREFIX,
  workerIdentity,
  type AttemptRunner,
  type StepJobData,
} from './queue-protocol.js'
import { codecFromEnv, openSecrets, SecretEnvCodec } from './secret-env-codec.js'

export interface QueueWorkerOptions {
  readonly redisUrl: string
  readonly queueName?: string
  /** Attempts this worker runs at once. */
  readonly concurrency?: number
  /** Runs one attempt; resolves (never rejects) with `cancelled` once `signal` aborts, after killing its processes. */
  readonly runAttempt: AttemptRunner
  /** How long a job stays ours without a renewal; renewed every half of it while the attempt runs. */
  readonly lockDurationMs?: number
  /** How often this worker looks for jobs whose worker lost its lock (killed, frozen, cut off). */
  readonly stalledIntervalMs?: number
  /** Times a job may be re-delivered after its worker was lost before it ends as `lost`. */
  readonly maxStalledCount?: number
  /** host:pid unless given; reported in every result. */
  readonly identity?: string
  readonly onEvent?: (event: WorkerEvent) => void
  /** Opens the secret env values the server sealed; PLINTH_QUEUE_SECRET_KEY unless given. */
  readonly secretKey?: string
}

export type WorkerEvent =
  | { readonly type: 'started'; readonly attemptId: string; readonly step: string; readonly pipelineRunId: string; readonly delivery: number }
  | { readonly type: 'finished'; readonly attemptId: string; readonly step: string; readonly outcome: StepOutcome }
  | { readonly type: 'handed_back'; readonly attemptId: string; readonly step: string }
  | { readonly type: 'cancel_requested'; readonly attemptId: string }
  | { readonly type: 'requeued_stalled'; readonly attemptId: string }
  | { readonly type: 'error'; readonly message: string }

interface Running {
  readonly controller: AbortController
  handedBack: boolean
}

interface Connections {
  readonly worker: Worker<StepJobData, StepResult>
  readonly redis: Redis
  readonly subscriber: Redis
}

/**
 * The worker side of the queue executor (`plinth worker`). BullMQ's job lock is the lease: it is
 * renewed while an attempt runs, and a worker that dies (kill -9, lost host) stops renewing it, so
 * another worker's stalled check puts the job back and runs the attempt again. A step that fails
 * is an ordinary result, never a BullMQ failure, so BullMQ does not retry it.
 */
export class QueueWorker {
  readonly #options: QueueWorkerOptions
  readonly #queueName: string
  readonly #identity: string
  readonly #running = new Map<string, Running>()
  readonly #codec: SecretEnvCodec | undefined
  #connections: Connections | undefined
  #stopping: Promise<void> | undefined

  constructor(options: QueueWorkerOptions) {
    checkRedisUrl(options.redisUrl)
    this.#options = options
    this.#queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME)
    this.#identity = options.identity ?? workerIdentity()
    this.#codec = options.secretKey ? new SecretEnvCodec(options.secretKey) : codecFromEnv()
    const concurrency = options.concurrency ?? 1
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new AppError('INVALID_PARAMETER_VALUE', `--concurrency must be a whole number of at least 1; got ${concurrency}.`)
  }

  get identity(): string {
    return this.#identity
  }

  /** Attempts running now. */
  get active(): number {
    return this.#running.size
  }

  async start(): Promise<void> {
    if (this.#connections) return
    const { Worker } = await loadBullMq()
    const redis = await openRedis(this.#options.redisUrl, 'plinth-worker')
    const subscriber = await openRedis(this.#options.redisUrl, 'plinth-worker-cancel')
    subscriber.on('message', (_channel: string, attemptId: string) => this.#cancelLocal(attemptId))
    await subscriber.subscribe(cancelChannel(this.#queueName))
    const worker = new Worker<StepJobData, StepResult>(this.#queueName, (job, token) => this.#process(job, token), {
      connection: bullConnection(this.#options.redisUrl),
      prefix: QUEUE_KEY_PREFIX,
      name: this.#identity,
      concurrency: this.#options.concurrency ?? 1,
      lockDuration: this.#options.lockDurationMs ?? 30_000,
      stalledInterval: this.#options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.#options.maxStalledCount ?? 1,
      autorun: false,
    })
    this.#watch(worker, redis, subscriber)
    void worker.run().catch((error: Error) => this.#emit({ type: 'error', message: error.message }))
    await worker.waitUntilReady()
    this.#connections = { worker, redis, subscriber }
  }

  /**
   * Takes no new jobs; running attempts get `graceMs` to end. Past it they are killed and put back
   * on the queue (not failed), so another worker runs them from the start.
   */
  stop(graceMs = 30_000): Promise<void> {
    this.#stopping ??= this.#stop(graceMs)
    return this.#stopping
  }

  /** Hands back every running attempt now (a second signal while stopping). */
  handBackAll(): void {
    for (const running of this.#running.values()) {
      running.handedBack = true
      running.controller.abort(new Error('the worker is stopping; the attempt goes back to the queue'))
    }
  }

  async #stop(graceMs: number): Promise<void> {
    const connections = this.#connections
    if (!connections) return
    const closing = connections.worker.close()
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)))
    if ((await Promise.race([closing, grace])) === 'late') this.handBackAll()
    clearTimeout(timer)
    await closing
    await Promise.allSettled([connections.subscriber.quit(), connections.redis.quit()])
  }

  async #process(job: Job<StepJobData, StepResult>, token: string | undefined): Promise<StepResult> {
    const { task } = job.data
    const running: Running = { controller: new AbortController(), handedBack: false }
    // Registered before the flag is read: a cancel published in between is then not missed.
    this.#running.set(task.attemptId, running)
    try {
      if (await this.#connections?.redis.exists(cancelKey(this.#queueName, task.attemptId))) {
        return { ...cancelledBeforeStart(), worker: this.#identity }
      }
      this.#emit({ type: 'started', attemptId: task.attemptId, step: task.step, pipelineRunId: task.pipelineRunId, delivery: job.attemptsStarted })
      const result = await this.#runOrHandBack(job, token, running)
      this.#emit({ type: 'finished', attemptId: task.attemptId, step: task.step, outcome: result.outcome })
      return { ...result, worker: this.#identity }
    } finally {
      this.#running.delete(task.attemptId)
    }
  }

  async #runOrHandBack(job: Job<StepJobData, StepResult>, token: string | undefined, running: Running): Promise<StepResult> {
    const { task } = job.data
    let result: StepResult | undefined
    let failure: unknown
    let opened: StepTask
    try {
      opened = openSecrets(task, this.#codec)
    } catch (error) {
      // A configuration problem of this worker: a result the run view shows, not a BullMQ failure.
      return failedResult((error as Error).message)
    }
    try {
      result = await this.#options.runAttempt(opened, running.controller.signal)
    } catch (error) {
      failure = error
    }
    if (running.handedBack) {
      await job.moveToWait(token)
      this.#emit({ type: 'handed_back', attemptId: task.attemptId, step: task.step })
      const { WaitingError } = await loadBullMq()
      // BullMQ's signal that the job left the active state on purpose: neither completed nor failed.
      throw new WaitingError()
    }
    if (result === undefined) throw failure
    return result
  }

  #cancelLocal(attemptId: string): void {
    const running = this.#running.get(attemptId)
    if (!running) return
    this.#emit({ type: 'cancel_requested', attemptId })
    running.controller.abort(new Error('the run was cancelled'))
  }

  #watch(worker: Worker, redis: Redis, subscriber: Redis): void {
    const onError = (error: Error) => this.#emit({ type: 'error', message: error.message })
    worker.on('error', onError)
    redis.on('error', onError)
    subscriber.on('error', onError)
    worker.on('stalled', (jobId: string) => this.#emit({ type: 'requeued_stalled', attemptId: jobId }))
  }

  #emit(event: WorkerEvent): void {
    this.#options.onEvent?.(event)
  }
}
