import { invalidParameter } from '../../shared/errors.js'
import type { PerformanceReport } from '../performance/performance-service.js'
import type { Alert, AlertEvent, DriftResult, Monitor, MonitorRun } from './monitor-entities.js'
import type { MonitorService } from './monitor-service.js'

const DEFAULT_SPAN_MS = 7 * 86_400_000
const MAX_RUNS = 1000

/** A deployment's performance over a range, in windows of `windowMs`; or why there is none. */
export interface PerformanceOverTime {
  readonly windowMs: number
  readonly report?: PerformanceReport
  /** Set instead of `report` when the outputs cannot be read as a class or a value. */
  readonly unavailable?: string
}

/** Performance of a deployment over time (realized and estimated metrics per window), from the performance service. */
export interface PerformanceHistory {
  overTime(deployment: string, start: number, end: number): Promise<PerformanceOverTime>
}

/** One point of a per-run series. */
export interface RunPoint {
  readonly monitor: string
  readonly time: number
  readonly outcome: MonitorRun['outcome']
  readonly requests?: number
  readonly errorRate?: number
  readonly latencyP50Ms?: number | null
  readonly latencyP99Ms?: number | null
  readonly driftShare?: number
  readonly datasetDrift?: boolean
  readonly error?: string
}

/** Everything a deployment's monitoring page shows, over [start, end). */
export interface DeploymentMonitoring {
  readonly deployment: string
  readonly start: number
  readonly end: number
  readonly monitors: readonly Monitor[]
  /** Per feature: its score and drift flag at each run, oldest first. */
  readonly driftOverTime: Readonly<Record<string, Array<{ time: number; monitor: string; method: string; score: number | null; drift: boolean }>>>
  /** The newest run's drift report. */
  readonly latestDrift: (DriftResult & { readonly time: number; readonly monitor: string }) | null
  /** Traffic, latency and error rate per run, oldest first. */
  readonly runs: readonly RunPoint[]
  readonly firingAlerts: readonly Alert[]
  readonly alertHistory: readonly AlertEvent[]
  /**
   * Performance over time, filled by the performance service when it is wired in (realized and
   * estimated metrics per window); null when it is not.
   */
  readonly performanceOverTime: PerformanceOverTime | null
}

function point(name: string, run: MonitorRun): RunPoint {
  const r = run.results
  if (!r) return { monitor: name, time: run.time, outcome: run.outcome, ...(run.error ? { error: run.error } : {}) }
  return { monitor: name, time: run.time, outcome: run.outcome, requests: r.requests, errorRate: r.errorRate, latencyP50Ms: r.latencyP50Ms, latencyP99Ms: r.latencyP99Ms, ...(r.drift ? { driftShare: r.drift.share, datasetDrift: r.drift.datasetDrift } : {}) }
}

/**
 * A deployment's monitoring data from its monitors' stored runs and alerts. Throws
 * INVALID_PARAMETER_VALUE for a window that ends before it starts.
 */
export async function deploymentMonitoring(
  service: MonitorService,
  deployment: string,
  range: { start?: number; end?: number },
  now: number,
  performance?: PerformanceHistory,
): Promise<DeploymentMonitoring> {
  const end = range.end ?? now
  const start = range.start ?? end - DEFAULT_SPAN_MS
  if (!(end > start)) throw invalidParameter(`end_time (${end}) must be after start_time (${start}).`)
  const monitors = await service.list(deployment)
  const runs: Array<{ name: string; run: MonitorRun }> = []
  for (const m of monitors) {
    for (const run of await service.store.listRuns(m.id, { start, end, limit: MAX_RUNS })) runs.push({ name: m.spec.name, run })
  }
  runs.sort((a, b) => a.run.time - b.run.time)
  const driftOverTime: Record<string, Array<{ time: number; monitor: string; method: string; score: number | null; drift: boolean }>> = {}
  let latestDrift: DeploymentMonitoring['latestDrift'] = null
  for (const { name, run } of runs) {
    const drift = run.results?.drift
    if (!drift) continue
    for (const f of drift.features) (driftOverTime[f.feature] ??= []).push({ time: run.time, monitor: name, method: f.method, score: f.score, drift: f.drift })
    latestDrift = { ...drift, time: run.time, monitor: name }
  }
  const firingAlerts = await service.store.listAlerts({ state: 'firing', deployment, maxResults: MAX_RUNS })
  const alertHistory = (await service.store.listEvents(0, MAX_RUNS, { deployment, since: start })).filter((e) => e.time < end)
  const performanceOverTime = performance ? await performance.overTime(deployment, start, end) : null
  return { deployment, start, end, monitors, driftOverTime, latestDrift, runs: runs.map(({ name, run }) => point(name, run)), firingAlerts, alertHistory, performanceOverTime }
}
