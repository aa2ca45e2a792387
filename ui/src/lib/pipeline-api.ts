import { ApiError, PLINTH, request } from './api-client.js'

/** Wire shapes of the pipeline API (`/api/plinth/v1/pipelines`, `/pipeline-runs`). */
export interface Pipeline {
  name: string
  version: number
  source: string
  created_at: number
  updated_at: number
  steps?: string[]
}

export interface PipelineRun {
  id: string
  pipeline: string
  pipeline_version: number
  status: string
  params: Record<string, string>
  trigger: { kind: string }
  created_at: number
  started_at: number | null
  ended_at: number | null
  error: string | null
  tracking_run_id: string | null
  resumed_from: string | null
}

export interface StepAttempt {
  step: string
  attempt: number
  status: string
  started_at: number | null
  ended_at: number | null
  exit_code: number | null
  error: string | null
  cached_from: { run_id: string; step: string; attempt: number } | null
  output_params: Record<string, string>
  output_artifacts: Record<string, string>
  metrics: Record<string, number>
  tracking_run_id: string | null
}

export interface RunStep {
  name: string
  status: string
  attempts: StepAttempt[]
}

/** Pipelines come from another part of Plinth; a server without them answers 404 on these routes. */
export function pipelinesMissing(error: Error | undefined): boolean {
  return error instanceof ApiError && error.status === 404 && error.code === 'ENDPOINT_NOT_FOUND'
}

export async function listPipelines(signal?: AbortSignal): Promise<Pipeline[]> {
  return (await request<{ pipelines: Pipeline[] }>(`${PLINTH}/pipelines`, { signal })).pipelines
}

export async function getPipeline(name: string, signal?: AbortSignal): Promise<Pipeline> {
  return (await request<{ pipeline: Pipeline }>(`${PLINTH}/pipelines/${encodeURIComponent(name)}`, { signal })).pipeline
}

export async function pipelineRuns(name: string, signal?: AbortSignal): Promise<PipelineRun[]> {
  return (await request<{ runs: PipelineRun[] }>(`${PLINTH}/pipelines/${encodeURIComponent(name)}/runs`, { query: { max_results: 100 }, signal })).runs
}

export async function getPipelineRun(id: string, signal?: AbortSignal): Promise<{ run: PipelineRun; steps: RunStep[] }> {
  return request(`${PLINTH}/pipeline-runs/${encodeURIComponent(id)}`, { signal })
}

export async function stepLog(id: string, step: string, attempt: number | undefined, signal?: AbortSignal): Promise<string> {
  return request<string>(`${PLINTH}/pipeline-runs/${encodeURIComponent(id)}/steps/${encodeURIComponent(step)}/log`, { query: { attempt }, text: true, signal })
}

/** A new run of `id`: from its failed step, or (with `fromStep`) from that step and everything downstream. */
export async function resumeRun(id: string, fromStep?: string): Promise<{ started: boolean; run_id?: string; reason?: string }> {
  return request(`${PLINTH}/pipeline-runs/${encodeURIComponent(id)}/resume`, { method: 'POST', body: fromStep === undefined ? {} : { from_step: fromStep } })
}

export function runEnded(status: string): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled'
}

export function statusKind(status: string): string {
  if (status === 'succeeded') return 'ok'
  if (status === 'cached') return 'cached'
  if (status === 'skipped' || status === 'lost') return 'warn'
  if (status === 'failed' || status === 'cancelled' || status === 'timed_out') return 'bad'
  if (status === 'running' || status === 'queued' || status === 'ready') return 'info'
  return ''
}
