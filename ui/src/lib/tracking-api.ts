import { MLFLOW, PLINTH, request } from './api-client.js'
import type { Experiment, FileInfo, Run } from './wire-types.js'

/** The tracking calls the UI makes, over MLflow's REST API plus Plinth's downsampled history. */
export async function searchExperiments(signal?: AbortSignal): Promise<Experiment[]> {
  const all: Experiment[] = []
  let pageToken: string | undefined
  do {
    const page = await request<{ experiments?: Experiment[]; next_page_token?: string }>(`${MLFLOW}/experiments/search`, {
      method: 'POST',
      body: { max_results: 1000, page_token: pageToken, order_by: ['name ASC'] },
      signal,
    })
    all.push(...(page.experiments ?? []))
    pageToken = page.next_page_token
  } while (pageToken && all.length < 10_000)
  return all
}

export interface RunSearch {
  experimentIds: string[]
  filter?: string
  orderBy?: string[]
  maxResults: number
  pageToken?: string
}

export async function searchRuns(search: RunSearch, signal?: AbortSignal): Promise<{ runs: Run[]; nextPageToken?: string }> {
  const page = await request<{ runs?: Run[]; next_page_token?: string }>(`${MLFLOW}/runs/search`, {
    method: 'POST',
    body: { experiment_ids: search.experimentIds, filter: search.filter || undefined, order_by: search.orderBy, max_results: search.maxResults, page_token: search.pageToken },
    signal,
  })
  return { runs: page.runs ?? [], nextPageToken: page.next_page_token }
}

export async function getRun(runId: string, signal?: AbortSignal): Promise<Run> {
  return (await request<{ run: Run }>(`${MLFLOW}/runs/get`, { query: { run_id: runId }, signal })).run
}

export async function listArtifacts(runId: string, path: string | undefined, signal?: AbortSignal): Promise<FileInfo[]> {
  const answer = await request<{ files?: FileInfo[] }>(`${MLFLOW}/artifacts/list`, { query: { run_id: runId, path }, signal })
  return answer.files ?? []
}

export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?run_id=${encodeURIComponent(runId)}&path=${encodeURIComponent(path)}`
}

/** One run's downsampled series: per bucket the lowest and highest value with their steps. */
export interface SampledSeries {
  run_id: string
  /** Steps in ascending order. */
  steps: number[]
  values: number[]
  /** Points stored for this run and key, before downsampling. */
  total_points: number
}

export async function metricHistory(runIds: string[], key: string, points: number, signal?: AbortSignal): Promise<SampledSeries[]> {
  const answer = await request<{ series: SampledSeries[] }>(`${PLINTH}/runs/metric-history`, { query: { run_ids: runIds, key, points }, signal })
  return answer.series
}

export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value
}

export function runName(run: Run): string {
  return run.info.run_name || tagOf(run, 'mlflow.runName') || run.info.run_id.slice(0, 8)
}
