import { EventEmitter } from 'node:events'
import { parsePipelineOrThrow } from './parse-pipeline.js'
import type { PipelineEvent } from './pipeline-events.js'
import type { PipelineRun, RunStatus } from './pipeline-store.js'
import { RunExecution, type RunnerDeps } from './run-execution.js'

export type RunnerOptions = Omit<RunnerDeps, 'emit'>

/** Runs pipeline runs claimed by this process and reports progress as `event` emissions. */
export class PipelineRunner extends EventEmitter<{ event: [PipelineEvent] }> {
  readonly #deps: RunnerDeps
  readonly #executions = new Map<string, RunExecution>()

  constructor(options: RunnerOptions) {
    super()
    this.#deps = { ...options, emit: (event) => this.emit('event', event) }
  }

  /** Runs a claimed run to its end; resolves with its final status. */
  async run(run: PipelineRun): Promise<RunStatus> {
    const spec = parsePipelineOrThrow(run.source, { file: `${run.pipeline} v${run.pipelineVersion}` })
    const execution = new RunExecution(run, spec, this.#deps)
    this.#executions.set(run.id, execution)
    try {
      await execution.start()
      return await execution.finished
    } finally {
      this.#executions.delete(run.id)
    }
  }

  /** Cancels a run this process drives; false when it drives no such run. */
  cancel(runId: string): Promise<RunStatus> | undefined {
    const execution = this.#executions.get(runId)
    if (!execution) return undefined
    execution.cancel()
    return execution.finished
  }

  runningIds(): string[] {
    return [...this.#executions.keys()]
  }

  /** Shutdown: kills steps without recording an end, so the runs resume at the next start. */
  async close(): Promise<void> {
    const all = [...this.#executions.values()]
    for (const execution of all) execution.abandon()
    await Promise.allSettled(all.map((e) => e.finished))
    await this.#deps.executor.close()
  }
}
