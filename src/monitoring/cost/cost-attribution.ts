/**
 * How process CPU time is shared out among the model versions a process serves.
 *
 * Node 20 has no per-thread CPU clock for onnxruntime's intra-op threads, so no model's CPU can be
 * read directly. What can be read is the whole process's CPU (`process.cpuUsage()`, every thread)
 * and, per model version, how long its work took: the wall time of each ONNX run (the model
 * cache's `onBatch` reports it per batch) and the main-thread time spent decoding each request
 * into tensors. The process's CPU over a short interval is then apportioned to the
 * (version, deployment) pairs in proportion to that work. A batch can hold requests from several
 * deployments of one version, so its run time is split among them by the rows each sent.
 *
 * Intervals with no model work at all attribute nothing: that CPU is reported as unattributed
 * (idle timers, tracking API calls between predictions). Intervals with model work attribute all
 * of their CPU, HTTP parsing, JSON encoding and garbage collection included, because on a serving
 * replica that is what a prediction costs; on a server that also runs tracking traffic in the same
 * second, that traffic's CPU lands on the models too, and short intervals keep that error small.
 */

/** Work done by one (model version, deployment) pair within an interval. */
export interface PairWork {
  /** `model/version` (the model cache's key). */
  key: string
  deployment: string
  /** Rows of served (or mirrored) requests: how a version's batch time is split among deployments. */
  rows: number
  /** Main-thread milliseconds decoding requests into tensors. */
  decodeMs: number
}

/** One version's ONNX run time within an interval (summed over its batches). */
export interface VersionWork {
  key: string
  runMs: number
}

export interface Attribution {
  /** CPU seconds per pair id (`key` + NUL + `deployment`). */
  cpuSeconds: Map<string, number>
  /** CPU of the interval that no model work explains. */
  unattributedSeconds: number
}

export function pairId(key: string, deployment: string): string {
  return `${key}\u0000${deployment}`
}

/**
 * Each pair's weight: its share of its version's run time (by rows) plus its decode time. A
 * version whose batches ran with no request rows recorded in the interval (a batch that began in
 * the previous one) keeps its run time under deployment '' rather than losing it.
 */
export function workWeights(pairs: readonly PairWork[], versions: readonly VersionWork[]): Map<string, number> {
  const rowsByKey = new Map<string, number>()
  for (const p of pairs) rowsByKey.set(p.key, (rowsByKey.get(p.key) ?? 0) + p.rows)
  const weights = new Map<string, number>()
  const add = (id: string, w: number) => {
    if (w > 0) weights.set(id, (weights.get(id) ?? 0) + w)
  }
  for (const p of pairs) add(pairId(p.key, p.deployment), p.decodeMs)
  for (const v of versions) {
    const rows = rowsByKey.get(v.key) ?? 0
    if (rows === 0) {
      add(pairId(v.key, ''), v.runMs)
      continue
    }
    for (const p of pairs) if (p.key === v.key && p.rows > 0) add(pairId(p.key, p.deployment), (v.runMs * p.rows) / rows)
  }
  return weights
}

/** Shares `cpuSeconds` out in proportion to `weights`; all of it is unattributed when no pair worked. */
export function apportion(cpuSeconds: number, weights: ReadonlyMap<string, number>): Attribution {
  const cpu = Math.max(0, cpuSeconds)
  let total = 0
  for (const w of weights.values()) total += w
  const shares = new Map<string, number>()
  if (total <= 0) return { cpuSeconds: shares, unattributedSeconds: cpu }
  for (const [id, w] of weights) shares.set(id, (cpu * w) / total)
  return { cpuSeconds: shares, unattributedSeconds: 0 }
}

/**
 * Cost of 1,000 predictions: CPU seconds → core-hours × price, per prediction, × 1,000. Undefined
 * when nothing was predicted (no meaningful per-prediction figure) or no price is configured.
 */
export function costPer1000(cpuSeconds: number, predictions: number, pricePerCoreHour: number): number | undefined {
  if (!(predictions > 0) || !(pricePerCoreHour > 0)) return undefined
  return ((cpuSeconds / 3600) * pricePerCoreHour * 1000) / predictions
}

/** CPU seconds per 1,000 predictions, the figure that needs no price. */
export function cpuSecondsPer1000(cpuSeconds: number, predictions: number): number | undefined {
  return predictions > 0 ? (cpuSeconds * 1000) / predictions : undefined
}
