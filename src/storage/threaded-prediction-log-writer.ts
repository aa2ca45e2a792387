import type { Worker } from 'node:worker_threads'
import { spawnModuleWorker } from '../shared/module-worker.js'
import type { PackedPredictions } from '../monitoring/packed-predictions.js'
import type { EncodedLog, PredictionLogWriter } from '../monitoring/prediction-log-writer.js'
import type { WriteReply, WriteRequest } from './prediction-log-worker.js'

export interface ThreadedWriterOptions {
  /** The backend store URI; the worker opens its own connection (already migrated). */
  uri: string
  /** Receives each stored batch as wire JSON (NATS streaming); none when nothing listens. */
  onStored?: (encoded: EncodedLog[]) => void
}

/**
 * Writes prediction logs on a worker thread. The serving thread only hands over the packed
 * batch (a few flat arrays, see PredictionPacker); storing it as segments happens on the worker,
 * with its own connection. The worker starts on the first write, so commands that never serve
 * never start it, and is started again if it dies; a write in flight when it dies fails and is
 * retried.
 */
export class ThreadedPredictionLogWriter implements PredictionLogWriter {
  readonly #options: ThreadedWriterOptions
  #worker: Worker | undefined
  #seq = 0
  readonly #pending = new Map<number, { resolve: (encoded: EncodedLog[] | undefined) => void; reject: (error: Error) => void }>()

  constructor(options: ThreadedWriterOptions) {
    this.#options = options
  }

  async write(batch: PackedPredictions): Promise<void> {
    const worker = this.#start()
    const seq = ++this.#seq
    const done = new Promise<EncodedLog[] | undefined>((resolve, reject) => this.#pending.set(seq, { resolve, reject }))
    // Cloned, not transferred: a failed write is retried with the same batch.
    const request: WriteRequest = { seq, batch, encode: this.#options.onStored !== undefined }
    // Referenced while a write is in flight, so a shutdown's last flush is not cut short.
    if (this.#pending.size === 1) worker.ref()
    worker.postMessage(request)
    const encoded = await done
    if (encoded) this.#options.onStored?.(encoded)
  }

  async close(): Promise<void> {
    const worker = this.#worker
    if (!worker) return
    this.#worker = undefined
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    // Kept referenced until it has closed its connection, or a process with nothing else to do
    // would exit under it.
    worker.ref()
    worker.postMessage('close')
    await exited
  }

  #start(): Worker {
    if (this.#worker) return this.#worker
    const worker = spawnWorker(this.#options.uri)
    worker.on('message', (reply: WriteReply) => {
      const waiting = this.#pending.get(reply.seq)
      this.#pending.delete(reply.seq)
      if (this.#pending.size === 0) worker.unref()
      if (reply.ok) waiting?.resolve(reply.encoded)
      else waiting?.reject(new Error(reply.message))
    })
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined
      for (const waiting of this.#pending.values()) waiting.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the prediction log writer thread exited with code ${code}`)))
    // A thread that is only waiting for work must not keep the process alive.
    worker.unref()
    this.#worker = worker
    return worker
  }
}

function spawnWorker(uri: string): Worker {
  return spawnModuleWorker(import.meta.url, 'prediction-log-worker', { uri })
}
