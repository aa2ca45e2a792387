import type { Tensor } from '../serving/tensor-types.js'
import type { PredictionLogMetrics } from './prediction-log-metrics.js'
import type { PredictionLogStore } from './prediction-log-store.js'
import { InlinePredictionLogWriter, type PredictionLogWriter } from './prediction-log-writer.js'

/**
 * An answered request as the serving path hands it over: references only. Its tensors are not
 * touched again once the response is sent, so turning them into columns waits for the flush.
 */
export interface ServedPrediction {
  predictionId: string
  model: string
  version: string
  deployment?: string
  time: number
  latencyMs: number
  inputs: readonly Tensor[]
  /** Empty when the request failed. */
  outputs: readonly Tensor[]
  error?: string
}

/** Where a served prediction goes; the serving path knows only this. */
export interface PredictionSink {
  /** Buffers the prediction (or counts it sampled out or dropped); never blocks, never throws. */
  record(prediction: ServedPrediction): void
}

export interface PredictionLoggerOptions {
  /** Converts and stores batches; or give `store` to do it on this thread. */
  writer?: PredictionLogWriter
  store?: PredictionLogStore
  metrics: PredictionLogMetrics
  /** Share of predictions logged, 0..1. Default 1. */
  sampleRate?: number
  /** Records held in memory at most, the batch being written included; past it, new ones are dropped. Default 10,000. */
  bufferSize?: number
  /** Longest a record waits before its batch is written. Default 250 ms. */
  flushIntervalMs?: number
  /** Records per write at most. Default 1,000. */
  maxBatch?: number
  /** First retry delay of a failed write, doubled per attempt up to 10 s. Default 100 ms. */
  retryBaseMs?: number
  /** Attempts per batch before its records are counted failed. Default 10 (about a minute). */
  maxAttempts?: number
  /** Where write failures are reported (the server log). */
  warn?: (message: string) => void
  random?: () => number
}

/**
 * Prediction logging off the request path: `record` appends to a bounded in-memory buffer, and a
 * single writer flushes it in batches, by size or every `flushIntervalMs`. A full buffer drops the
 * new record and counts it (serving never waits on the database); a failed write is retried with
 * backoff, its records still holding their place in the buffer. `close` writes what is left.
 */
export class PredictionLogger implements PredictionSink {
  readonly #options: Required<Omit<PredictionLoggerOptions, 'warn' | 'writer' | 'store'>> & Pick<PredictionLoggerOptions, 'warn'>
  readonly #writer: PredictionLogWriter
  #buffer: ServedPrediction[] = []
  /** Records taken from the buffer and not yet stored or given up. */
  #writing = 0
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> | undefined
  #closed = false
  #retryWait: { timer: NodeJS.Timeout; resolve: () => void } | undefined

  constructor(options: PredictionLoggerOptions) {
    this.#options = { sampleRate: 1, bufferSize: 10_000, flushIntervalMs: 250, maxBatch: 1000, retryBaseMs: 100, maxAttempts: 10, random: Math.random, ...options }
    const writer = options.writer ?? (options.store && new InlinePredictionLogWriter(options.store))
    if (!writer) throw new TypeError('PredictionLogger needs a writer or a store')
    this.#writer = writer
  }

  record(prediction: ServedPrediction): void {
    const { metrics, sampleRate, bufferSize } = this.#options
    if (sampleRate < 1 && !(this.#options.random() < sampleRate)) {
      metrics.records.inc({ outcome: 'sampled_out' })
      return
    }
    if (this.#closed || this.#buffer.length + this.#writing >= bufferSize) {
      metrics.records.inc({ outcome: 'dropped' })
      return
    }
    this.#buffer.push(prediction)
    if (this.#buffer.length >= this.#options.maxBatch) this.#startFlush()
    else this.#timer ??= setTimeout(() => this.#startFlush(), this.#options.flushIntervalMs).unref()
  }

  /** Records in memory, waiting or being written. */
  get pending(): number {
    return this.#buffer.length + this.#writing
  }

  /** Writes everything buffered so far; resolves when it is stored or given up. */
  async flush(): Promise<void> {
    while (this.#buffer.length > 0 || this.#flushing) {
      this.#startFlush()
      await this.#flushing
    }
  }

  /** Stops taking records, cuts retry waits short, writes what is buffered and closes the writer. */
  async close(): Promise<void> {
    this.#closed = true
    this.#wakeRetry()
    await this.flush()
    await this.#writer.close()
  }

  #startFlush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#flushing || this.#buffer.length === 0) return
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined
      this.#options.metrics.buffered.set(this.pending)
      if (this.#buffer.length > 0) this.#timer ??= setTimeout(() => this.#startFlush(), this.#closed ? 0 : this.#options.flushIntervalMs).unref()
    })
  }

  async #drain(): Promise<void> {
    // Batches are written back to back while a full batch is waiting, so a burst drains at the
    // store's speed rather than one batch per interval.
    do {
      const batch = this.#buffer.splice(0, this.#options.maxBatch)
      this.#writing = batch.length
      this.#options.metrics.buffered.set(this.pending)
      await this.#write(batch)
      this.#writing = 0
    } while (this.#buffer.length >= this.#options.maxBatch || (this.#closed && this.#buffer.length > 0))
  }

  async #write(batch: ServedPrediction[]): Promise<void> {
    const { metrics, maxAttempts } = this.#options
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#writer.write(batch)
        metrics.records.inc({ outcome: 'logged' }, batch.length)
        return
      } catch (error) {
        metrics.writeErrors.inc()
        // Closing, a store still failing gets a few quick tries rather than a minute of backoff.
        const gaveUp = attempt >= (this.#closed ? Math.min(3, maxAttempts) : maxAttempts)
        this.#options.warn?.(`writing ${batch.length} prediction logs failed (attempt ${attempt}${gaveUp ? ', giving up' : ''}): ${(error as Error).message}`)
        if (gaveUp) {
          metrics.records.inc({ outcome: 'failed' }, batch.length)
          return
        }
        await this.#sleep(this.#closed ? this.#options.retryBaseMs : Math.min(10_000, this.#options.retryBaseMs * 2 ** (attempt - 1)))
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#retryWait = { timer: setTimeout(resolve, ms), resolve }
    })
  }

  #wakeRetry(): void {
    if (!this.#retryWait) return
    clearTimeout(this.#retryWait.timer)
    this.#retryWait.resolve()
    this.#retryWait = undefined
  }
}
