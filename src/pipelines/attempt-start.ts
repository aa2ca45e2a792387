import { setMaxListeners } from 'node:events'
import type { PipelineEvent } from './pipeline-events.js'
import type { PipelineStore, StepAttempt } from './pipeline-store.js'

/**
 * Records an attempt's start after its process has started, so the database write is not on
 * the path from "ready" to "running". Recorded once: the first `record` writes the `running` row
 * and emits the event; later calls wait for that write. If the write fails, the attempt's process
 * is stopped (through `signal`) rather than left running with no row to finish.
 *
 * If this process dies between the spawn and the write, the run has no row for the attempt: on
 * takeover the step counts as never started and runs again, and the orphaned process (in its own
 * process group) runs to its end with its outputs never collected, as for an attempt marked `lost`.
 */
export class AttemptStart {
  readonly #row: StepAttempt
  readonly #deps: { readonly store: PipelineStore; readonly emit: (event: PipelineEvent) => void }
  readonly #stop = new AbortController()
  readonly #runSignal: AbortSignal
  readonly #forward = () => this.#stop.abort()
  #written: Promise<void> | undefined

  constructor(row: StepAttempt, deps: { readonly store: PipelineStore; readonly emit: (event: PipelineEvent) => void }, runSignal: AbortSignal) {
    this.#row = row
    this.#deps = deps
    this.#runSignal = runSignal
    setMaxListeners(0, this.#stop.signal)
    if (runSignal.aborted) this.#forward()
    else runSignal.addEventListener('abort', this.#forward, { once: true })
  }

  /** The attempt ended: stop listening to the run. */
  dispose(): void {
    this.#runSignal.removeEventListener('abort', this.#forward)
  }

  /** Aborted when the run is cancelled or the start could not be recorded. */
  get signal(): AbortSignal {
    return this.#stop.signal
  }

  record(startedAt: number): Promise<void> {
    if (!this.#written) {
      const row = { ...this.#row, startedAt }
      this.#written = this.#deps.store.insertAttempt(row)
      this.#written.then(
        () => this.#deps.emit({ type: 'step', runId: row.runId, step: row.step, attempt: row.attempt, status: 'running', at: startedAt }),
        () => this.#stop.abort(),
      )
    }
    return this.#written
  }
}
