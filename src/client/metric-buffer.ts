import { PlinthApiError } from './client-errors.js'
import type { LogErrorContext } from './client-types.js'
import type { WireKeyValue, WireMetric } from './wire-mappers.js'

/** MLflow's per-request limits for `runs/log-batch` (mlflow/utils/validation.py). */
export const BATCH_LIMITS = Object.freeze({ metrics: 1000, params: 100, tags: 100, total: 1000 })

type Item =
  | { kind: 'metric'; entry: WireMetric }
  | { kind: 'param'; entry: WireKeyValue }
  | { kind: 'tag'; entry: WireKeyValue }

export interface LogBatchBody {
  run_id: string
  metrics: WireMetric[]
  params: WireKeyValue[]
  tags: WireKeyValue[]
}

export interface MetricBufferOptions {
  runId: string
  flushIntervalMs: number
  /** Sends one `runs/log-batch`; retries are the transport's business, not the buffer's. */
  send: (body: LogBatchBody) => Promise<unknown>
  onError?: (error: Error, context: LogErrorContext) => void
}

interface Waiter {
  target: number
  resolve: () => void
}

/**
 * The queue behind a run's `logMetric`/`logParams`/`setTag`: callers never wait on the network.
 * Items go out in the order they were logged, in `runs/log-batch` requests cut at MLflow's
 * limits, one request at a time, every `flushIntervalMs` or as soon as a full batch is waiting.
 */
export class MetricBuffer {
  readonly #options: MetricBufferOptions
  // A head index instead of shift()/splice(): draining a million queued items stays linear.
  #queue: Item[] = []
  #head = 0
  #enqueued = 0
  #settled = 0
  #inFlight = 0
  #flushTarget = 0
  #busy = false
  #timer: NodeJS.Timeout | undefined
  #waiters: Waiter[] = []
  #errors: Error[] = []
  /** Params queued or sent, so a repeat is dropped and a changed value refused up front. */
  readonly #params = new Map<string, string>()

  constructor(options: MetricBufferOptions) {
    this.#options = options
  }

  /** Items logged but not yet acknowledged (queued or in flight). */
  get pending(): number {
    return this.#size + this.#inFlight
  }

  /** Failed batches not yet surfaced through `flush()`. */
  get unreportedErrors(): number {
    return this.#errors.length
  }

  get #size(): number {
    return this.#queue.length - this.#head
  }

  addMetric(entry: WireMetric): void {
    this.#add({ kind: 'metric', entry })
  }

  addTag(entry: WireKeyValue): void {
    this.#add({ kind: 'tag', entry })
  }

  addParam(entry: WireKeyValue): void {
    const previous = this.#params.get(entry.key)
    if (previous === entry.value) return
    if (previous !== undefined) {
      // MLflow params are immutable; the server would refuse the whole batch this rides in,
      // taking unrelated metrics down with it, so refuse just this call, in MLflow's words.
      throw new PlinthApiError(
        400,
        'INVALID_PARAMETER_VALUE',
        `Changing param values is not allowed. Param with key='${entry.key}' was already logged ` +
          `with value='${previous}' for run ID='${this.#options.runId}'. ` +
          `Attempted logging new value '${entry.value}'.`,
        'POST runs/log-batch',
      )
    }
    this.#params.set(entry.key, entry.value)
    this.#add({ kind: 'param', entry })
  }

  /** Resolves once everything queued before the call is acknowledged or has failed. */
  settle(): Promise<void> {
    const target = this.#enqueued
    if (this.#settled >= target) return Promise.resolve()
    this.#flushTarget = Math.max(this.#flushTarget, target)
    const done = new Promise<void>((resolve) => this.#waiters.push({ target, resolve }))
    this.#kick()
    return done
  }

  /** `settle()`, then rejects with the first failure since the last flush, if any. */
  async flush(): Promise<void> {
    await this.settle()
    const error = this.takeError()
    if (error) throw error
  }

  /** Hands over the first unreported failure; later ones were already given to `onError`. */
  takeError(): Error | undefined {
    const [first] = this.#errors
    this.#errors = []
    return first
  }

  /** Stops the timer; whatever is still queued is sent only by an explicit `settle()`. */
  stop(): void {
    this.#cancelTimer()
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #add(item: Item): void {
    this.#queue.push(item)
    this.#enqueued++
    if (this.#size >= BATCH_LIMITS.total) this.#kick()
    else if (!this.#busy) this.#schedule()
  }

  #schedule(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#flushTarget = this.#enqueued
      this.#kick()
    }, this.#options.flushIntervalMs)
    // An idle run must not keep a finished script alive; 'beforeExit' flushes the rest.
    this.#timer.unref()
  }

  #kick(): void {
    if (this.#busy) return
    this.#cancelTimer()
    this.#busy = true
    void this.#drain()
  }

  #shouldSend(): boolean {
    const taken = this.#enqueued - this.#size
    return this.#size > 0 && (this.#size >= BATCH_LIMITS.total || taken < this.#flushTarget)
  }

  async #drain(): Promise<void> {
    try {
      while (this.#shouldSend()) await this.#send(this.#take())
    } finally {
      this.#busy = false
      // Stragglers logged during the last request wait for the next tick, to batch well.
      if (this.#size > 0) this.#schedule()
    }
  }

  /** The longest prefix of the queue that fits in one request, so order holds across requests. */
  #take(): LogBatchBody {
    const body: LogBatchBody = { run_id: this.#options.runId, metrics: [], params: [], tags: [] }
    const tagIndex = new Map<string, number>()
    let count = 0
    while (this.#head < this.#queue.length && count < BATCH_LIMITS.total) {
      const item = this.#queue[this.#head]!
      if (item.kind === 'metric') {
        if (body.metrics.length >= BATCH_LIMITS.metrics) break
        body.metrics.push(item.entry)
      } else if (item.kind === 'param') {
        if (body.params.length >= BATCH_LIMITS.params) break
        body.params.push(item.entry)
      } else {
        if (tagIndex.size >= BATCH_LIMITS.tags) break
        // A tag set twice in one request keeps its last value, as two requests would.
        const at = tagIndex.get(item.entry.key)
        if (at === undefined) tagIndex.set(item.entry.key, body.tags.push(item.entry) - 1)
        else body.tags[at] = item.entry
      }
      this.#head++
      count++
    }
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    this.#inFlight = count
    return body
  }

  async #send(body: LogBatchBody): Promise<void> {
    const count = this.#inFlight
    try {
      await this.#options.send(body)
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error))
      this.#errors.push(failure)
      // A refused param was never logged; forget it so a corrected value can be sent.
      for (const p of body.params) {
        if (this.#params.get(p.key) === p.value) this.#params.delete(p.key)
      }
      try {
        this.#options.onError?.(failure, { runId: this.#options.runId, dropped: count })
      } catch {
        // A throwing callback must not stall the queue; the error still surfaces on flush().
      }
    } finally {
      this.#inFlight = 0
      this.#settled += count
      this.#waiters = this.#waiters.filter((w) => {
        if (w.target > this.#settled) return true
        w.resolve()
        return false
      })
    }
  }
}
