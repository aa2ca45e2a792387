/**
 * The port between the DAG runner and whatever runs a step's command: local child processes
 * (the embedded default) or BullMQ workers on Redis (`plinth worker`). The runner decides what
 * runs and when; an executor only runs one attempt and reports what came of it.
 */

export interface StepTask {
  readonly pipelineRunId: string
  readonly pipeline: string
  readonly step: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** Unique per attempt; executors use it to make a retried delivery of the same attempt a no-op. */
  readonly attemptId: string
  /** The MLflow run of this attempt: the step's params, metrics, logs and artifacts go there. */
  readonly trackingRunId: string
  /**
   * The attempt's MLflow run artifact root (`mlflow-artifacts:/…/artifacts`): the log goes to
   * `logs/<step>-<attempt>.log` and output artifacts to `outputs/<name>` under it.
   */
  readonly artifactUri?: string
  /** Base URL a step's MLflow client logs to (`MLFLOW_TRACKING_URI`), when a server runs. */
  readonly trackingUri?: string
  /** Fully resolved: no `${{ }}` left but `inputs.*` and `outputs.*`, which the executor fills with local paths. */
  readonly command: { readonly shell: string } | { readonly argv: readonly string[] }
  readonly image?: string
  readonly workingDir?: string
  /** Resolved environment (secrets included); never persisted, never logged. */
  readonly env: Readonly<Record<string, string>>
  /** Names of env entries that are secrets, so logs can redact their values. */
  readonly secretEnv: readonly string[]
  /** Input artifacts: name -> artifact URI; the executor materializes each to a local path. */
  readonly inputs: Readonly<Record<string, string>>
  readonly outputs: { readonly artifacts: readonly string[]; readonly params: readonly string[] }
  readonly timeoutMs?: number
}

export type StepOutcome = 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'lost'

export interface StepResult {
  readonly outcome: StepOutcome
  readonly exitCode?: number
  /** Why it failed, in words a person can act on. */
  readonly error?: string
  /** Output params the step reported (`$PLINTH_OUTPUT` file, `name=value` lines). */
  readonly outputParams: Readonly<Record<string, string>>
  /** Output artifacts stored by the executor: name -> artifact URI. */
  readonly outputArtifacts: Readonly<Record<string, string>>
  /** Metrics the step reported through `$PLINTH_METRICS` (`name=value` lines); MLflow-logged ones are in its run. */
  readonly metrics: Readonly<Record<string, number>>
  /** Artifact URI of the attempt's combined stdout/stderr. */
  readonly logUri?: string
  readonly startedAt: number
  readonly endedAt: number
  /** Which worker ran it (host:pid), for the run view. */
  readonly worker?: string
}

export interface ExecuteHooks {
  /**
   * Called once, right after the step's process started (before it ends), so the runner can
   * record the start off the spawn path. An executor that cannot tell may never call it.
   */
  readonly onStarted?: (startedAt: number) => void
}

export interface StepExecutor {
  readonly kind: 'local' | 'queue'
  /** Runs one attempt. `signal` aborts it (run cancelled or replaced): the process tree is killed. */
  execute(task: StepTask, signal: AbortSignal, hooks?: ExecuteHooks): Promise<StepResult>
  close(): Promise<void>
}
