import type { PerformanceService } from '../performance/performance-service.js'
import type { WindowPerformance } from '../performance/window-metrics.js'
import type { PerformanceValue } from './monitor-entities.js'
import type { PerformanceSource, WindowQuery } from './monitor-data-source.js'
import type { PerformanceHistory } from './monitoring-dashboard.js'

/** Windows a deployment's monitoring page shows performance in: one per day over a long range, else one per hour. */
const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const MAX_HOURLY_WINDOWS = 72

/**
 * Monitors and the dashboard read performance through the performance service: a monitor's
 * window becomes one window of the service's report, so `performance_drop` compares exactly what
 * `GET /monitoring/performance` shows for the same range.
 */
export class PerformanceServiceSource implements PerformanceSource, PerformanceHistory {
  readonly #service: PerformanceService

  constructor(service: PerformanceService) {
    this.#service = service
  }

  async performance(query: WindowQuery, metric: string): Promise<PerformanceValue | undefined> {
    const report = await this.#service.performance({
      ...(query.deployment !== undefined ? { deployment: query.deployment } : {}),
      ...(query.model !== undefined ? { model: query.model } : {}),
      windowMs: query.end - query.start,
      windowOrigin: query.start,
      startTime: query.start,
      endTime: query.end,
    })
    const window = report.windows[0]
    if (window === undefined) return undefined
    const realized = numeric((window.metrics as Record<string, unknown>)[metric])
    const estimated = numeric((window.estimated as Record<string, unknown>)[metric])
    if (realized === undefined && estimated === undefined) return undefined
    return { ...(realized !== undefined ? { realized } : {}), ...(estimated !== undefined ? { estimated } : {}) }
  }

  async overTime(deployment: string, start: number, end: number): Promise<unknown> {
    const windowMs = end - start > MAX_HOURLY_WINDOWS * HOUR_MS ? DAY_MS : HOUR_MS
    const report = await this.#service.performance({ deployment, windowMs, startTime: start, endTime: end })
    return { window_ms: windowMs, calibrated: report.calibrated, warnings: report.warnings, windows: report.windows.map(toWire) }
  }
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function toWire(w: WindowPerformance) {
  return { start_time: w.startTime, end_time: w.endTime, predictions: w.predictions, labeled: w.labeled, task: w.task, metrics: w.metrics, estimated: w.estimated }
}
