import { AppError } from '../shared/errors.js'
import type { LoadedModel } from './inference-engine.js'
import { allocateTensorData, elementCount } from './tensor-types.js'
import type { Tensor, TensorData } from './tensor-types.js'

/**
 * Triton-style dynamic batching for one model: requests whose inputs share a batch dimension
 * (the signature's first dim is -1 on every input and output) wait up to `maxQueueDelayMs` to be
 * concatenated into one inference of at most `maxBatchSize` rows, then the outputs are split
 * back by row counts. Batches are formed when an execution slot frees up, so under load the
 * queue that builds while the model is busy becomes the next, bigger batch.
 */
export interface BatchingOptions {
  /** Rows per inference at most; 1 or less turns batching off (every request runs directly). */
  maxBatchSize: number
  /** How long the oldest waiting request may wait for others. */
  maxQueueDelayMs: number
  /** Rows allowed to wait; past it requests fail with TEMPORARILY_UNAVAILABLE. */
  maxQueueSize: number
  /**
   * Inferences of this model running at once. Default 1: onnxruntime-node runs a session on the
   * JavaScript thread (its `run` is synchronous behind a setImmediate), so more buys nothing there.
   */
  maxConcurrentBatches?: number
}

export interface BatchObservation {
  rows: number
  requests: number
  /** How long the batch's oldest request waited in the queue. */
  queueWaitMs: number
  runMs: number
  /** The run failed; a failed batch of several requests is retried one request at a time. */
  failed: boolean
  /** The request ran without queueing (batching off, or a request the model cannot batch). */
  direct?: boolean
}

export type BatchObserver = (observation: BatchObservation) => void

interface Pending {
  inputs: Tensor[]
  outputNames: string[] | undefined
  rows: number
  key: string
  enqueuedAt: number
  resolve: (outputs: Tensor[]) => void
  reject: (error: unknown) => void
}

export class DynamicBatcher {
  readonly #model: LoadedModel
  readonly #options: BatchingOptions | undefined
  readonly #observer: BatchObserver | undefined
  readonly #batchable: boolean
  #queue: Pending[] = []
  #queuedRows = 0
  /** Rows waiting per group, kept up to date so a pump does not walk the queue. */
  readonly #groupRows = new Map<string, number>()
  #running = 0
  #timer: NodeJS.Timeout | undefined
  #timerAt = 0

  constructor(model: LoadedModel, options: BatchingOptions | undefined, observer?: BatchObserver) {
    this.#model = model
    this.#options = options && options.maxBatchSize > 1 ? options : undefined
    this.#observer = observer
    const { inputs, outputs } = model.signature
    this.#batchable = [...inputs, ...outputs].every((s) => s.shape !== undefined && s.shape.length > 0 && s.shape[0] === -1)
  }

  /** Whether requests to this model are batched at all. */
  get enabled(): boolean {
    return this.#options !== undefined && this.#batchable
  }

  /** Rows waiting for a batch (not yet running). */
  get queuedRows(): number {
    return this.#queuedRows
  }

  /**
   * Runs `inputs` through the model, batched with other requests when possible. Throws
   * TEMPORARILY_UNAVAILABLE when the queue is full, and whatever the model throws otherwise.
   */
  infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    const options = this.#options
    const rows = this.enabled ? batchRows(inputs) : undefined
    if (!options || rows === undefined || rows > options.maxBatchSize) return this.#direct(inputs, outputNames, rows)
    if (this.#queuedRows + rows > options.maxQueueSize) {
      return Promise.reject(new AppError('TEMPORARILY_UNAVAILABLE', `the model's queue is full (${this.#queuedRows} rows waiting); retry shortly`, { details: { retryAfterSeconds: 1 } }))
    }
    return new Promise<Tensor[]>((resolve, reject) => {
      const key = groupKey(inputs, outputNames)
      this.#queue.push({ inputs, outputNames, rows, key, enqueuedAt: performance.now(), resolve, reject })
      this.#queuedRows += rows
      this.#groupRows.set(key, (this.#groupRows.get(key) ?? 0) + rows)
      this.#pump()
    })
  }

  /** An unbatched run, observed as a batch of its own so metrics look the same either way. */
  #direct(inputs: Tensor[], outputNames: string[] | undefined, rows: number | undefined): Promise<Tensor[]> {
    if (!this.#observer) return this.#model.infer(inputs, outputNames)
    const started = performance.now()
    const observe = (failed: boolean) =>
      this.#observe({ rows: rows ?? inputs[0]?.shape[0] ?? 1, requests: 1, queueWaitMs: 0, runMs: performance.now() - started, failed, direct: true })
    return this.#model.infer(inputs, outputNames).then(
      (outputs) => (observe(false), outputs),
      (error: unknown) => {
        observe(true)
        throw error
      },
    )
  }

  /**
   * Starts every batch that is due; arms a timer for the oldest request's deadline otherwise.
   * Called on every enqueue, so it costs O(groups), not O(queue): under load hundreds of requests
   * wait, and a timer re-armed per request would cost more than the batching saves.
   */
  #pump(): void {
    const options = this.#options!
    while (this.#queue.length > 0 && this.#running < (options.maxConcurrentBatches ?? 1)) {
      let full: string | undefined
      for (const [key, rows] of this.#groupRows) {
        if (rows >= options.maxBatchSize) {
          full = key
          break
        }
      }
      const head = this.#queue[0]!
      const deadline = head.enqueuedAt + options.maxQueueDelayMs
      if (full === undefined && performance.now() < deadline) return this.#arm(deadline)
      void this.#run(this.#take(full ?? head.key, options.maxBatchSize))
    }
  }

  /** A timer for `deadline`, unless one fires by then already (a run's end pumps too). */
  #arm(deadline: number): void {
    if (this.#timer !== undefined && this.#timerAt <= deadline) return
    clearTimeout(this.#timer)
    this.#timerAt = deadline
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#pump()
    }, Math.max(0, Math.ceil(deadline - performance.now())))
  }

  /** Removes the oldest requests of one group, up to `maxRows` rows, in one pass. */
  #take(key: string, maxRows: number): Pending[] {
    const batch: Pending[] = []
    const rest: Pending[] = []
    let rows = 0
    for (const p of this.#queue) {
      if (p.key === key && rows + p.rows <= maxRows) {
        batch.push(p)
        rows += p.rows
      } else rest.push(p)
    }
    this.#queue = rest
    this.#queuedRows -= rows
    const left = (this.#groupRows.get(key) ?? 0) - rows
    if (left > 0) this.#groupRows.set(key, left)
    else this.#groupRows.delete(key)
    return batch
  }

  async #run(batch: Pending[]): Promise<void> {
    this.#running++
    const started = performance.now()
    const outcomes = await this.#execute(batch)
    this.#running--
    // Observed before the callers resume, so metrics never lag the responses they describe.
    this.#observe({
      rows: batch.reduce((sum, p) => sum + p.rows, 0),
      requests: batch.length,
      queueWaitMs: started - batch[0]!.enqueuedAt,
      runMs: performance.now() - started,
      failed: outcomes.failed,
    })
    batch.forEach((p, i) => {
      const outcome = outcomes.results[i]!
      if ('error' in outcome) p.reject(outcome.error)
      else p.resolve(outcome.outputs)
    })
    if (this.#queue.length > 0) this.#pump()
  }

  async #execute(batch: Pending[]): Promise<{ failed: boolean; results: Array<{ outputs: Tensor[] } | { error: unknown }> }> {
    const alone = (p: Pending) => this.#model.infer(p.inputs, p.outputNames).then((outputs) => ({ outputs }), (error: unknown) => ({ error }))
    if (batch.length === 1) {
      const result = await alone(batch[0]!)
      return { failed: 'error' in result, results: [result] }
    }
    try {
      const outputs = await this.#model.infer(concatInputs(batch), batch[0]!.outputNames)
      return { failed: false, results: splitOutputs(outputs, batch.map((p) => p.rows)).map((o) => ({ outputs: o })) }
    } catch {
      // One bad request must not fail its batch-mates: each is retried alone and gets its own
      // answer or error.
      return { failed: true, results: await Promise.all(batch.map(alone)) }
    }
  }

  #observe(observation: BatchObservation): void {
    try {
      this.#observer?.(observation)
    } catch {
      // Metrics must never break inference.
    }
  }
}

/** The shared first dimension of every input, or undefined when they disagree or there is none. */
function batchRows(inputs: Tensor[]): number | undefined {
  const rows = inputs[0]?.shape[0]
  if (rows === undefined || rows < 1) return undefined
  return inputs.every((t) => t.shape.length > 0 && t.shape[0] === rows) ? rows : undefined
}

/** Requests can share a batch only with the same inputs, trailing shapes, datatypes and outputs. */
function groupKey(inputs: Tensor[], outputNames: string[] | undefined): string {
  const parts = inputs.map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`).sort()
  return `${parts.join('|')}>${outputNames?.join(',') ?? '*'}`
}

function concatInputs(batch: Pending[]): Tensor[] {
  const totalRows = batch.reduce((sum, p) => sum + p.rows, 0)
  return batch[0]!.inputs.map((first) => {
    const parts = batch.map((p) => p.inputs.find((t) => t.name === first.name)!.data)
    const total = parts.reduce((sum, d) => sum + d.length, 0)
    let data: TensorData
    if (Array.isArray(first.data)) data = (parts as string[][]).flat()
    else {
      const typed = allocateTensorData(first.datatype, total) as Exclude<TensorData, string[]>
      let offset = 0
      for (const part of parts as Exclude<TensorData, string[]>[]) {
        ;(typed as Uint8Array).set(part as Uint8Array, offset)
        offset += part.length
      }
      data = typed
    }
    return { name: first.name, datatype: first.datatype, shape: [totalRows, ...first.shape.slice(1)], data }
  })
}

function splitOutputs(outputs: Tensor[], rowCounts: number[]): Tensor[][] {
  const totalRows = rowCounts.reduce((a, b) => a + b, 0)
  const perRequest: Tensor[][] = rowCounts.map(() => [])
  for (const out of outputs) {
    if (out.shape[0] !== totalRows) throw new Error(`output '${out.name}' has ${out.shape[0]} rows for a batch of ${totalRows}`)
    const rowSize = elementCount(out.shape.slice(1))
    let row = 0
    rowCounts.forEach((rows, i) => {
      const data = out.data.slice(row * rowSize, (row + rows) * rowSize) as TensorData
      perRequest[i]!.push({ name: out.name, datatype: out.datatype, shape: [rows, ...out.shape.slice(1)], data })
      row += rows
    })
  }
  return perRequest
}
