import type { ConcurrencyPolicy } from './pipeline-spec.js'

/** What started a run; kept with the run and shown in the run view. */
export interface TriggerInfo {
  readonly kind: 'manual' | 'api' | 'cron' | 'alert' | 'data' | 'webhook' | 'ci'
  /** A stable id of the event (alert event seq, cron tick time, object key) so one event starts at most one run. */
  readonly eventId?: string
  readonly payload?: unknown
}

export interface LaunchRequest {
  readonly pipeline: string
  readonly params: Readonly<Record<string, string>>
  readonly trigger: TriggerInfo
  /** Overrides the pipeline's policy for this launch (a trigger's own `concurrency`). */
  readonly concurrency?: ConcurrencyPolicy
}

export type LaunchResult =
  | { readonly started: true; readonly runId: string; readonly replaced?: string }
  /** `forbid` while a run is active, or the same trigger event already started a run. */
  | { readonly started: false; readonly reason: 'forbidden' | 'duplicate'; readonly activeRunId?: string }

/** Triggers start runs only through this; the concurrency policy and event de-duplication live behind it. */
export interface PipelineLauncher {
  launch(request: LaunchRequest): Promise<LaunchResult>
}
