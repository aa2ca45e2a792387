import type { PredictionLog, PredictionLogQuery, PredictionLogStore } from '../monitoring/prediction-log-store.js'
import { decodeOffsetToken, pageFromRows, type Page } from '../shared/page.js'

/**
 * An in-memory PredictionLogStore for unit tests of code that reads logs (feedback, performance),
 * keeping the port's promises: atomic appends that skip stored ids, listings oldest first with
 * ties by id, offset page tokens. Not for production: nothing survives the process.
 */
export class MemoryPredictionLogStore implements PredictionLogStore {
  readonly #logs = new Map<string, PredictionLog>()

  async appendBatch(logs: readonly PredictionLog[]): Promise<void> {
    for (const log of logs) if (!this.#logs.has(log.predictionId)) this.#logs.set(log.predictionId, structuredClone(log))
  }

  async list(query: PredictionLogQuery): Promise<Page<PredictionLog>> {
    const offset = decodeOffsetToken(query.pageToken)
    const matching = [...this.#logs.values()]
      .filter(
        (l) =>
          (query.model === undefined || l.model === query.model) &&
          (query.version === undefined || l.version === query.version) &&
          (query.deployment === undefined || l.deployment === query.deployment) &&
          (query.startTime === undefined || l.time >= query.startTime) &&
          (query.endTime === undefined || l.time < query.endTime),
      )
      .sort((a, b) => a.time - b.time || (a.predictionId < b.predictionId ? -1 : a.predictionId > b.predictionId ? 1 : 0))
    return pageFromRows(matching.slice(offset, offset + query.maxResults + 1).map((l) => structuredClone(l)), query.maxResults, offset)
  }

  async getMany(predictionIds: readonly string[]): Promise<PredictionLog[]> {
    return [...new Set(predictionIds)].flatMap((id) => {
      const log = this.#logs.get(id)
      return log ? [structuredClone(log)] : []
    })
  }

  /** Every stored log, oldest first (tests inspect what they logged). */
  get all(): PredictionLog[] {
    return [...this.#logs.values()].sort((a, b) => a.time - b.time)
  }

  /** Forgets the logs for which `drop` is true (tests replace a window's traffic). */
  remove(drop: (log: PredictionLog) => boolean): void {
    for (const [id, log] of this.#logs) if (drop(log)) this.#logs.delete(id)
  }

  async deleteOlderThan(before: number): Promise<number> {
    let deleted = 0
    for (const [id, log] of this.#logs) {
      if (log.time < before) {
        this.#logs.delete(id)
        deleted++
      }
    }
    return deleted
  }
}
