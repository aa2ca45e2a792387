import type { Services } from '../app/services.js'
import type { BuiltinName } from './pipeline-spec.js'

/**
 * Built-in steps (`uses: evaluate|gate|register|deploy-canary|promote`) run inside the process
 * that runs the pipeline, against Plinth's own services, not as child processes.
 */
export interface BuiltinContext {
  readonly services: Services
  readonly pipelineRunId: string
  readonly pipeline: string
  readonly step: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The MLflow run of this attempt (log metrics and params to it). */
  readonly trackingRunId: string
  /** Input artifacts materialized to local paths: name -> path. */
  readonly inputs: Readonly<Record<string, string>>
  /** Output params of finished steps: `steps[name][param]`, for steps that read earlier results. */
  readonly steps: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** Aborted when the run is cancelled or the step times out. */
  readonly signal: AbortSignal
  /** A line in the step's log (kept as an artifact). */
  log(line: string): void
  /** Wall clock and sleeping go through here, so tests run bake times without waiting. */
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface BuiltinResult {
  /** Output params (strings), readable downstream as `${{ steps.NAME.outputs.KEY }}`. */
  readonly outputs: Readonly<Record<string, string>>
  readonly metrics: Readonly<Record<string, number>>
}

export interface BuiltinStep {
  readonly name: BuiltinName
  /** Checks `with:` before the run starts, so a bad file is refused before anything runs. */
  validate(args: Readonly<Record<string, unknown>>): string[]
  /** Throws an AppError with a clear message to fail the step (a gate that does not pass fails). */
  run(args: Readonly<Record<string, unknown>>, context: BuiltinContext): Promise<BuiltinResult>
}
