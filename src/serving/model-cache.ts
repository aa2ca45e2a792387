import { AppError, isAppError } from '../shared/errors.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import type { Clock } from '../shared/clock.js'
import { DynamicBatcher } from './dynamic-batcher.js'
import type { BatchingOptions, BatchObservation } from './dynamic-batcher.js'
import type { InferenceEngine, LoadedModel, LoadOptions } from './inference-engine.js'
import { warmUp } from './warm-up.js'
import type { ModelSignature, Tensor } from './tensor-types.js'

/**
 * Loaded models by key (`name/version`): loaded on first use (concurrent first requests share
 * one load), warmed up before they count as ready, unloaded least-recently-used when a memory
 * budget is exceeded (never while a request uses them), and remembered as failed with the
 * reason when loading fails, so callers get a clear 503 and the load is retried after a backoff.
 * One model's failure never touches another's entry.
 */
export type ModelStatus = 'loading' | 'ready' | 'failed' | 'unloaded'

export interface ModelCacheOptions {
  engine: InferenceEngine
  /** A model's bytes. RESOURCE_DOES_NOT_EXIST passes through and is not remembered as a failure. */
  loader: (key: string) => Promise<Uint8Array>
  /** Sum of `LoadedModel.memoryBytes` allowed at once. Default: no limit. */
  memoryBudgetBytes?: number
  /** Wait before retrying a failed load; doubles with each failure. Default 5 s. */
  retryBackoffMs?: number
  /** Ceiling of that wait. Default 5 min. */
  maxRetryBackoffMs?: number
  /** Run one inference on zeros before a model is ready. Default true. */
  warmUp?: boolean
  loadOptions?: Omit<LoadOptions, 'label'>
  /** Dynamic batching per model; undefined (the default) calls models directly. */
  batching?: BatchingOptions | ((key: string) => BatchingOptions | undefined)
  onBatch?: (key: string, observation: BatchObservation) => void
  onEvent?: (event: ModelCacheEvent) => void
  clock?: Clock
}

export type ModelCacheEvent =
  | { type: 'loaded'; key: string; loadMs: number; memoryBytes: number; warmUpError?: string }
  | { type: 'load-failed'; key: string; reason: string; attempts: number; retryAt: number }
  | { type: 'unloaded'; key: string; reason: 'evicted' | 'requested' | 'closed' }

/** A model held for one request; it is not unloaded until `release`. */
export interface ModelLease {
  readonly key: string
  readonly signature: ModelSignature
  /** Through the model's batcher when batching is on. */
  infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]>
  /** Idempotent. */
  release(): void
}

export interface ModelFailure {
  reason: string
  attempts: number
  /** Clock time after which the next request retries the load. */
  retryAt: number
}

interface Entry {
  key: string
  state: 'loading' | 'ready' | 'failed'
  loading?: Promise<void>
  model?: LoadedModel
  batcher?: DynamicBatcher
  /** The estimate while loading, the model's own figure once loaded. */
  memoryBytes: number
  inFlight: number
  lastUsed: number
  attempts: number
  failure?: ModelFailure
  unloadWhenIdle?: boolean
  warmUpError?: string
}

export class ModelCache {
  readonly #options: ModelCacheOptions
  readonly #clock: Clock
  readonly #entries = new Map<string, Entry>()

  constructor(options: ModelCacheOptions) {
    this.#options = options
    this.#clock = options.clock ?? SYSTEM_CLOCK
  }

  status(key: string): ModelStatus {
    return this.#entries.get(key)?.state ?? 'unloaded'
  }

  /** Why the model's last load failed, while it is in the failed state. */
  failure(key: string): ModelFailure | undefined {
    return this.#entries.get(key)?.failure
  }

  /** Bytes held by loaded and loading models. */
  get usedBytes(): number {
    let sum = 0
    for (const e of this.#entries.values()) if (e.state !== 'failed') sum += e.memoryBytes
    return sum
  }

  /** Every known model, for metrics and status pages. */
  snapshot(): Array<{ key: string; status: ModelStatus; memoryBytes: number; inFlight: number; lastUsed: number; warmUpError?: string }> {
    return [...this.#entries.values()].map((e) => ({
      key: e.key, status: e.state, memoryBytes: e.memoryBytes, inFlight: e.inFlight, lastUsed: e.lastUsed, ...(e.warmUpError ? { warmUpError: e.warmUpError } : {}),
    }))
  }

  /**
   * The model, loading it first if needed. TEMPORARILY_UNAVAILABLE (with `retryAfterSeconds` in
   * the details) while it is failed or when the memory budget is taken by busy models;
   * RESOURCE_DOES_NOT_EXIST from the loader.
   */
  async acquire(key: string): Promise<ModelLease> {
    const entry = this.#entryFor(key)
    // Counted before waiting, so a model cannot be evicted between its load and its first use.
    entry.inFlight++
    try {
      if (entry.state === 'loading') await entry.loading
    } catch (error) {
      entry.inFlight--
      throw error
    }
    entry.lastUsed = this.#clock.now()
    return this.#lease(entry)
  }

  /**
   * The lease of a model that is loaded and ready, without waiting (no promise on the hot path);
   * undefined otherwise, when the caller should `acquire`.
   */
  tryAcquire(key: string): ModelLease | undefined {
    const entry = this.#entries.get(key)
    if (entry?.state !== 'ready') return undefined
    entry.inFlight++
    entry.lastUsed = this.#clock.now()
    return this.#lease(entry)
  }

  /** `acquire` + `infer` + `release`. */
  async infer(key: string, inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    const lease = await this.acquire(key)
    try {
      return await lease.infer(inputs, outputNames)
    } finally {
      lease.release()
    }
  }

  /** Unloads a model now, or once its requests finish. False when it was not loaded. */
  async unload(key: string): Promise<boolean> {
    const entry = this.#entries.get(key)
    if (!entry) return false
    await entry.loading?.catch(() => undefined)
    if (this.#entries.get(key) !== entry) return false
    if (entry.state === 'failed') {
      this.#entries.delete(key)
      return true
    }
    if (entry.inFlight > 0) entry.unloadWhenIdle = true
    else await this.#dispose(entry, 'requested')
    return true
  }

  /** Unloads everything, waiting for loads in progress. */
  async close(): Promise<void> {
    const entries = [...this.#entries.values()]
    await Promise.all(entries.map((e) => e.loading?.catch(() => undefined)))
    await Promise.all([...this.#entries.values()].map((e) => (e.state === 'ready' ? this.#dispose(e, 'closed') : void this.#entries.delete(e.key))))
  }

  #entryFor(key: string): Entry {
    const existing = this.#entries.get(key)
    if (existing && existing.state !== 'failed') return existing
    if (existing?.failure && this.#clock.now() < existing.failure.retryAt) throw this.#failedError(existing)
    const entry: Entry = { key, state: 'loading', memoryBytes: 0, inFlight: 0, lastUsed: this.#clock.now(), attempts: existing?.attempts ?? 0 }
    this.#entries.set(key, entry)
    entry.loading = this.#load(entry)
    // Waiters see the rejection; this keeps a load nobody waits for from being "unhandled".
    entry.loading.catch(() => undefined)
    return entry
  }

  async #load(entry: Entry): Promise<void> {
    const started = this.#clock.now()
    let model: LoadedModel | undefined
    try {
      const bytes = await this.#options.loader(entry.key)
      // Twice the file is the engine's own estimate; reserving it now keeps two concurrent loads
      // from both fitting into the same free space.
      await this.#makeRoom(entry, bytes.byteLength * 2)
      model = await this.#options.engine.load(bytes, { ...this.#options.loadOptions, label: entry.key })
      entry.memoryBytes = model.memoryBytes
      if (this.#options.warmUp ?? true) entry.warmUpError = await warmUp(model)
      entry.model = model
      entry.batcher = new DynamicBatcher(model, this.#batchingFor(entry.key), (o) => this.#options.onBatch?.(entry.key, o))
      entry.state = 'ready'
      entry.attempts = 0
      this.#emit({ type: 'loaded', key: entry.key, loadMs: this.#clock.now() - started, memoryBytes: entry.memoryBytes, ...(entry.warmUpError ? { warmUpError: entry.warmUpError } : {}) })
    } catch (error) {
      await model?.dispose().catch(() => undefined)
      if (isAppError(error) && (error.code === 'RESOURCE_DOES_NOT_EXIST' || error.code === 'TEMPORARILY_UNAVAILABLE')) {
        // Not the model's fault (no such version, or no room right now): nothing to remember.
        this.#entries.delete(entry.key)
        throw error
      }
      this.#markFailed(entry, error)
      throw this.#failedError(entry)
    } finally {
      entry.loading = undefined
    }
  }

  /** Reserves `bytes` for `entry`, evicting idle models least recently used first. */
  async #makeRoom(entry: Entry, bytes: number): Promise<void> {
    const budget = this.#options.memoryBudgetBytes ?? Infinity
    if (bytes > budget) throw new Error(`the model needs about ${bytes} bytes, more than the whole memory budget of ${budget}`)
    const idle = [...this.#entries.values()].filter((e) => e.state === 'ready' && e.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed)
    const victims: Entry[] = []
    let used = this.usedBytes
    while (used + bytes > budget && idle.length > 0) {
      const victim = idle.shift()!
      victims.push(victim)
      used -= victim.memoryBytes
    }
    if (used + bytes > budget) {
      throw new AppError('TEMPORARILY_UNAVAILABLE', `no memory to load ${entry.key}: the budget is taken by models serving requests; retry shortly`, { details: { retryAfterSeconds: 1 } })
    }
    entry.memoryBytes = bytes
    await Promise.all(victims.map((v) => this.#dispose(v, 'evicted')))
  }

  #lease(entry: Entry): ModelLease {
    let released = false
    return {
      key: entry.key,
      signature: entry.model!.signature,
      infer: (inputs, outputNames) => entry.batcher!.infer(inputs, outputNames),
      release: () => {
        if (released) return
        released = true
        entry.lastUsed = this.#clock.now()
        if (--entry.inFlight === 0 && entry.unloadWhenIdle) void this.#dispose(entry, 'requested')
      },
    }
  }

  async #dispose(entry: Entry, reason: 'evicted' | 'requested' | 'closed'): Promise<void> {
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key)
    const model = entry.model
    entry.model = undefined
    if (!model) return
    await model.dispose().catch(() => undefined)
    this.#emit({ type: 'unloaded', key: entry.key, reason })
  }

  #markFailed(entry: Entry, error: unknown): void {
    const base = this.#options.retryBackoffMs ?? 5_000
    const ceiling = this.#options.maxRetryBackoffMs ?? 300_000
    entry.attempts++
    entry.state = 'failed'
    entry.memoryBytes = 0
    entry.failure = {
      reason: error instanceof Error ? error.message : String(error),
      attempts: entry.attempts,
      retryAt: this.#clock.now() + Math.min(ceiling, base * 2 ** (entry.attempts - 1)),
    }
    this.#emit({ type: 'load-failed', key: entry.key, ...entry.failure })
  }

  #failedError(entry: Entry): AppError {
    const failure = entry.failure!
    const retryAfterSeconds = Math.max(1, Math.ceil((failure.retryAt - this.#clock.now()) / 1000))
    return new AppError('TEMPORARILY_UNAVAILABLE', `model ${entry.key} failed to load: ${failure.reason}; it will be retried in ${retryAfterSeconds} s`, {
      details: { retryAfterSeconds, reason: failure.reason },
    })
  }

  #batchingFor(key: string): BatchingOptions | undefined {
    const batching = this.#options.batching
    return typeof batching === 'function' ? batching(key) : batching
  }

  #emit(event: ModelCacheEvent): void {
    try {
      this.#options.onEvent?.(event)
    } catch {
      // An observer's bug must not change what the cache does.
    }
  }
}

