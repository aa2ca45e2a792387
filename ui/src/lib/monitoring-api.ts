import { PLINTH, request } from './api-client.js'
import type { DeploymentMonitoring, PredictionLog } from './wire-types.js'

export async function deploymentMonitoring(name: string, startTime: number, signal?: AbortSignal): Promise<DeploymentMonitoring> {
  return request<DeploymentMonitoring>(`${PLINTH}/deployments/${encodeURIComponent(name)}/monitoring`, { query: { start_time: startTime }, signal })
}

export interface LabeledPrediction extends PredictionLog {
  label?: unknown
}

/** Logged predictions of a deployment since `startTime`, each with its ground truth when one arrived. */
export async function recentPredictions(deployment: string, startTime: number, maxResults: number, pageToken: string | undefined, signal?: AbortSignal): Promise<{ predictions: LabeledPrediction[]; nextPageToken?: string }> {
  const page = await request<{ predictions: PredictionLog[]; next_page_token?: string }>(`${PLINTH}/prediction-logs`, { query: { deployment, start_time: startTime, max_results: maxResults, page_token: pageToken }, signal })
  const ids = page.predictions.map((p) => p.prediction_id)
  const labels = ids.length ? (await request<{ feedback: Array<{ prediction_id: string; label: unknown }> }>(`${PLINTH}/feedback`, { query: { prediction_id: ids }, signal })).feedback : []
  const byId = new Map(labels.map((f) => [f.prediction_id, f.label]))
  return { predictions: page.predictions.map((p) => ({ ...p, label: byId.get(p.prediction_id) })), nextPageToken: page.next_page_token }
}
