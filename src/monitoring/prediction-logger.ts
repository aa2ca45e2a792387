import type { Tensor } from '../serving/tensor-types.js'
import { PredictionPacker, type PackedPredictions } from './packed-predictions.js'
import type { PredictionLogMetrics } from './prediction-log-metrics.js'
import type { PredictionLogStore } from './prediction-log-store.js'
import { InlinePredictionLogWriter, type PredictionLogWriter } from './prediction-log-writer.js'

/**
 * An answered request as the serving path hands it over. The logger copies its tensors' bytes
 * at once (see PredictionPacker); turning them into columns waits until the log is read.
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
 * Prediction logging off the request path: `record` packs the request into the batch being
 * filled, a bounded buffer, and a single writer flushes full batches at once and a partial one
 * every `flushIntervalMs`. A full buffer drops the new record and counts it (serving never waits
 * on the database); a failed write is retried with backoff, its records still holding their
 * place in the buffer. `close` writes what is left.
 */
export class PredictionLogger implements PredictionSink {
  readonly #options: Required<Omit<PredictionLoggerOptions, 'warn' | 'writer' | 'store'>> & Pick<PredictionLoggerOptions, 'warn'>
  readonly #writer: PredictionLogWriter
  #filling = new PredictionPacker()
  /** Full batches waiting for the writer. */
  readonly #full: PackedPredictions[] = []
  #queued = 0
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
    if (this.#closed || this.pending >= bufferSize) {
      metrics.records.inc({ outcome: 'dropped' })
      return
    }
    this.#filling.add(prediction)
    if (this.#filling.count >= this.#options.maxBatch) {
      this.#queue()
      this.#startFlush()
    } else {
      this.#timer ??= setTimeout(() => this.#startFlush(), this.#options.flushIntervalMs).unref()
    }
  }

  /** Records in memory, waiting or being written. */
  get pending(): number {
    return this.#filling.count + this.#queued + this.#writing
  }

  /** Writes everything buffered so far; resolves when it is stored or given up. */
  async flush(): Promise<void> {
    while (this.#filling.count + this.#queued > 0 || this.#flushing) {
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

  #queue(): void {
    const batch = this.#filling.take()
    this.#full.push(batch)
    this.#queued += batch.count
  }

  #startFlush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#flushing || this.#filling.count + this.#queued === 0) return
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined
      this.#options.metrics.buffered.set(this.pending)
      if (this.#filling.count + this.#queued > 0) this.#timer ??= setTimeout(() => this.#startFlush(), this.#closed ? 0 : this.#options.flushIntervalMs).unref()
    })
  }

  async #drain(): Promise<void> {
    // Full batches are written back to back, so a burst drains at the store's speed rather than
    // one batch per interval; a partial batch is written when the drain starts (timer, flush).
    for (let first = true; ; first = false) {
      if (this.#full.length === 0) {
        if (this.#filling.count === 0 || !(first || this.#closed)) return
        this.#queue()
      }
      const batch = this.#full.shift()!
      this.#queued -= batch.count
      this.#writing = batch.count
      this.#options.metrics.buffered.set(this.pending)
      await this.#write(batch)
      this.#writing = 0
    }
  }

  async #write(batch: PackedPredictions): Promise<void> {
    const { metrics, maxAttempts } = this.#options
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#writer.write(batch)
        metrics.records.inc({ outcome: 'logged' }, batch.count)
        return
      } catch (error) {
        metrics.writeErrors.inc()
        // Closing, a store still failing gets a few quick tries rather than a minute of backoff.
        const gaveUp = attempt >= (this.#closed ? Math.min(3, maxAttempts) : maxAttempts)
        this.#options.warn?.(`writing ${batch.count} prediction logs failed (attempt ${attempt}${gaveUp ? ', giving up' : ''}): ${(error as Error).message}`)
        if (gaveUp) {
          metrics.records.inc({ outcome: 'failed' }, batch.count)
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
