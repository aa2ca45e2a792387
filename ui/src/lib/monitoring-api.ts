import { PLINTH, request } from './api-client.js'
import type { DeploymentMonitoring, PredictionLog } from './wire-types.js'

export async function deploymentMonitoring(name: string, startTime: number, signal?: AbortSignal): Promise<DeploymentMonitoring> {
  return request<DeploymentMonitoring>(`${PLINTH}/deployments/${encodeURIComponent(name)}/monitoring`, { query: { start_time: startTime }, signal })
}

export interface LabeledPrediction extends PredictionLog {
  label?: unknown
}

/** The newest logged predictions of a deployment, each with its ground truth when one arrived. */
export async function recentPredictions(deployment: string, maxResults: number, pageToken: string | undefined, signal?: AbortSignal): Promise<{ predictions: LabeledPrediction[]; nextPageToken?: string }> {
  const page = await request<{ predictions: PredictionLog[]; next_page_token?: string }>(`${PLINTH}/prediction-logs`, { query: { deployment, max_results: maxResults, page_token: pageToken }, signal })
  const ids = page.predictions.map((p) => p.prediction_id)
  const labels = ids.length ? (await request<{ feedback: Array<{ prediction_id: string; label: unknown }> }>(`${PLINTH}/feedback`, { query: { prediction_id: ids }, signal })).feedback : []
  const byId = new Map(labels.map((f) => [f.prediction_id, f.label]))
  return { predictions: page.predictions.map((p) => ({ ...p, label: byId.get(p.prediction_id) })), nextPageToken: page.next_page_token }
}
