import type { TriggerInfo } from './pipeline-launcher.js'

export interface StoredPipeline {
  readonly name: string
  readonly source: string
  /** 1 on first apply; +1 each time the source changes. */
  readonly version: number
  /** Folder relative `code` globs and commands resolve against (the file's folder when applied from a file). */
  readonly baseDir: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running']

export interface PipelineRun {
  readonly id: string
  readonly pipeline: string
  readonly pipelineVersion: number
  /** The pipeline source this run executes (a later apply does not change a run in flight). */
  readonly source: string
  readonly baseDir: string | null
  readonly params: Readonly<Record<string, string>>
  readonly trigger: TriggerInfo
  readonly status: RunStatus
  readonly createdAt: number
  readonly startedAt: number | null
  readonly endedAt: number | null
  readonly error: string | null
  readonly trackingRunId: string | null
  readonly resumedFrom: string | null
  /** The process driving the run (`host:pid:boot`), so a restarted server can pick up orphans. */
  readonly owner: string | null
  readonly heartbeatAt: number | null
}

export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'lost' | 'cached' | 'skipped'
export const FINISHED_OK: readonly AttemptStatus[] = ['succeeded', 'cached']

export interface AttemptRef {
  readonly runId: string
  readonly step: string
  readonly attempt: number
}

export interface StepAttempt extends AttemptRef {
  readonly status: AttemptStatus
  readonly cacheKey: string | null
  /** For `cached`: the attempt whose outputs this one re-uses. */
  readonly cachedFrom: AttemptRef | null
  /** When every dependency had finished (the step became ready). */
  readonly readyAt: number | null
  readonly startedAt: number | null
  readonly endedAt: number | null
  readonly exitCode: number | null
  readonly error: string | null
  readonly outputParams: Readonly<Record<string, string>>
  readonly outputArtifacts: Readonly<Record<string, string>>
  readonly metrics: Readonly<Record<string, number>>
  readonly logUri: string | null
  readonly trackingRunId: string | null
  readonly worker: string | null
}

export type NewRun = Pick<PipelineRun, 'id' | 'pipeline' | 'pipelineVersion' | 'source' | 'baseDir' | 'params' | 'trigger' | 'createdAt' | 'resumedFrom'>

export type CreateRunResult =
  | { readonly created: true; readonly run: PipelineRun }
  | { readonly created: false; readonly reason: 'duplicate' | 'forbidden'; readonly runId: string }

export type AttemptFinish = Pick<StepAttempt, 'status' | 'startedAt' | 'endedAt' | 'exitCode' | 'error' | 'outputParams' | 'outputArtifacts' | 'metrics' | 'logUri' | 'worker'>

/** Pipelines, their runs, step attempts and the step cache. Every method is atomic. */
export interface PipelineStore {
  /** Inserts or updates; the version moves only when the source changes. */
  savePipeline(name: string, source: string, baseDir: string | null, at: number): Promise<StoredPipeline>
  getPipeline(name: string): Promise<StoredPipeline | undefined>
  listPipelines(): Promise<StoredPipeline[]>
  /**
   * Inserts a queued run. Refused as `duplicate` when the trigger event id already started a run
   * of this pipeline, and as `forbidden` when `exclusive` and a run is queued or running.
   */
  createRun(run: NewRun, exclusive: boolean): Promise<CreateRunResult>
  getRun(id: string): Promise<PipelineRun | undefined>
  listRuns(pipeline: string, limit: number): Promise<PipelineRun[]>
  activeRuns(pipeline?: string): Promise<PipelineRun[]>
  /** queued -> running for `owner`, or a running run whose owner is `takeOverFrom`; false when someone else has it. */
  claimRun(id: string, owner: string, at: number, takeOverFrom?: string): Promise<boolean>
  heartbeat(owner: string, at: number): Promise<void>
  setRunTrackingId(id: string, trackingRunId: string): Promise<void>
  /** Sets a final status unless the run already has one; false when it had. */
  finishRun(id: string, status: Exclude<RunStatus, 'queued' | 'running'>, at: number, error: string | null): Promise<boolean>
  insertAttempt(attempt: StepAttempt): Promise<void>
  /** Finishes a `running` attempt; false when it was not running (finished by another path). */
  finishAttempt(ref: AttemptRef, finish: AttemptFinish): Promise<boolean>
  listAttempts(runId: string): Promise<StepAttempt[]>
  getAttempt(ref: AttemptRef): Promise<StepAttempt | undefined>
  recordCache(pipeline: string, cacheKey: string, ref: AttemptRef, at: number): Promise<void>
  /** Newest succeeded attempt recorded under the key. */
  findCache(pipeline: string, cacheKey: string): Promise<StepAttempt | undefined>
}
