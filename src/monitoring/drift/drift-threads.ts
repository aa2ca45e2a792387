/**
 * A pool of drift worker threads that can be started before the data is read, so their start-up
 * (loading this module graph into a fresh isolate, tens of milliseconds) overlaps the CSV parsing
 * on another core instead of delaying the computation.
 */
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { spawnModuleWorker } from '../../shared/module-worker.js'
import type { ColumnDrift } from './detect-drift.js'
import type { DriftJob, DriftJobAnswer } from './drift-job.js'

export class DriftThreads {
  readonly #workers: Worker[]

  /** One worker per core beyond the calling thread's, by default. */
  constructor(workers = availableParallelism() - 1) {
    this.#workers = Array.from({ length: Math.max(0, workers) }, () => spawnModuleWorker(import.meta.url, 'drift-worker', undefined))
    // Idle workers must not keep the process alive; a running job refs them.
    for (const worker of this.#workers) worker.unref()
  }

  get size(): number {
    return this.#workers.length
  }

  /** Posts `job` to every worker at once; resolves with each worker's results when all answered. */
  run(job: DriftJob): Promise<[number, ColumnDrift][][]> {
    return Promise.all(this.#workers.map((worker) => runOn(worker, job)))
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()))
  }
}

function runOn(worker: Worker, job: DriftJob): Promise<[number, ColumnDrift][]> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
      worker.unref()
    }
    const onMessage = (answer: DriftJobAnswer): void => {
      done()
      if ('error' in answer) reject(new Error(answer.error))
      else resolve(answer.results)
    }
    const onError = (error: Error): void => {
      done()
      reject(error)
    }
    const onExit = (code: number): void => onError(new Error(`a drift worker thread exited with code ${code} before answering`))
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
    worker.ref()
    worker.postMessage(job)
  })
}
