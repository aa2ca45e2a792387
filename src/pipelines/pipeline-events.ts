import type { AttemptStatus, RunStatus } from './pipeline-store.js'

/** What the runner reports as it goes; the CLI prints them, the bench measures them. */
export type PipelineEvent =
  | {
      readonly type: 'step'
      readonly runId: string
      readonly step: string
      readonly attempt: number
      /** `retrying` while waiting out a backoff before the next attempt. */
      readonly status: AttemptStatus | 'retrying'
      readonly at: number
      readonly error?: string
    }
  | { readonly type: 'run'; readonly runId: string; readonly status: RunStatus; readonly at: number; readonly error?: string }

export function isFinalRunStatus(status: RunStatus): boolean {
  return status !== 'queued' && status !== 'running'
}
