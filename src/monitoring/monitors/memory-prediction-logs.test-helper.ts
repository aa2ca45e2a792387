import type { Page } from '../../shared/page.js'
import type { LoggedColumns, PredictionLog, PredictionLogQuery, PredictionLogStore } from '../prediction-log-store.js'

/** The prediction-log port in memory, for tests of what reads logs (not of logging itself). */
export class MemoryPredictionLogStore implements PredictionLogStore {
  readonly logs: PredictionLog[] = []

  async appendBatch(logs: readonly PredictionLog[]): Promise<void> {
    const known = new Set(this.logs.map((l) => l.predictionId))
    for (const log of logs) if (!known.has(log.predictionId)) this.logs.push(log)
    this.logs.sort((a, b) => a.time - b.time || a.predictionId.localeCompare(b.predictionId))
  }

  async list(query: PredictionLogQuery): Promise<Page<PredictionLog>> {
    const matching = this.logs.filter(
      (l) =>
        (query.model === undefined || l.model === query.model) &&
        (query.version === undefined || l.version === query.version) &&
        (query.deployment === undefined || l.deployment === query.deployment) &&
        (query.startTime === undefined || l.time >= query.startTime) &&
        (query.endTime === undefined || l.time < query.endTime),
    )
    const offset = query.pageToken === undefined ? 0 : Number(query.pageToken)
    const items = matching.slice(offset, offset + query.maxResults)
    return offset + query.maxResults < matching.length ? { items, nextPageToken: String(offset + query.maxResults) } : { items }
  }

  async getMany(ids: readonly string[]): Promise<PredictionLog[]> {
    const wanted = new Set(ids)
    return this.logs.filter((l) => wanted.has(l.predictionId))
  }

  async deleteOlderThan(before: number): Promise<number> {
    const kept = this.logs.filter((l) => l.time >= before)
    const removed = this.logs.length - kept.length
    this.logs.splice(0, this.logs.length, ...kept)
    return removed
  }
}

let counter = 0

/** A logged request of `inputs` columns (one row per value) with a prediction column. */
export function loggedRequest(at: number, inputs: LoggedColumns, options: { deployment?: string; model?: string; latencyMs?: number; error?: string } = {}): PredictionLog {
  const rows = Object.values(inputs)[0]?.length ?? 0
  counter += 1
  return {
    predictionId: `p${counter}`,
    model: options.model ?? 'churn',
    version: '1',
    ...(options.deployment !== undefined ? { deployment: options.deployment } : {}),
    time: at,
    rows,
    inputs,
    outputs: options.error ? {} : { prediction: Array.from({ length: rows }, (_, i) => i % 2) },
    latencyMs: options.latencyMs ?? 5,
    ...(options.error ? { error: options.error } : {}),
  }
}
