import type { ExecuteHooks, StepExecutor, StepResult, StepTask } from '../step-executor.js'
import { HelperSpawner } from './helper-spawner.js'
import { runStepProcess, type StepProcessOptions } from './run-step-process.js'

/** Runs steps as child processes of this process (the embedded default), started through the spawn helper. */
export class LocalExecutor implements StepExecutor {
  readonly kind = 'local' as const
  readonly #options: StepProcessOptions
  readonly #running = new Set<AbortController>()

  constructor(options: StepProcessOptions) {
    this.#options = { ...options, spawner: options.spawner ?? new HelperSpawner() }
  }

  async execute(task: StepTask, signal: AbortSignal, hooks?: ExecuteHooks): Promise<StepResult> {
    const own = new AbortController()
    const forward = () => own.abort()
    signal.addEventListener('abort', forward, { once: true })
    if (signal.aborted) own.abort()
    this.#running.add(own)
    try {
      return await runStepProcess(task, own.signal, this.#options, hooks)
    } finally {
      this.#running.delete(own)
      signal.removeEventListener('abort', forward)
    }
  }

  /** Kills every step still running (server shutdown); their runs are resumed on the next start. */
  async close(): Promise<void> {
    for (const controller of this.#running) controller.abort()
    await this.#options.spawner?.close()
  }
}
