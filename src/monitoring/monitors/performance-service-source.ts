import { isAppError } from '../../shared/errors.js'
import type { PerformanceService } from '../performance/performance-service.js'
import type { PerformanceValue } from './monitor-entities.js'
import type { PerformanceSource, WindowQuery } from './monitor-data-source.js'
import type { PerformanceHistory, PerformanceOverTime } from './monitoring-dashboard.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** Window lengths a deployment's page shows performance in, shortest first. */
const PAGE_WINDOWS_MS = [HOUR_MS, 6 * HOUR_MS, DAY_MS, 7 * DAY_MS]
/** Points one chart line gets at most; past it, windows grow (whole days beyond a week). */
const MAX_PAGE_WINDOWS = 400

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

  async overTime(deployment: string, start: number, end: number): Promise<PerformanceOverTime> {
    const windowMs = pageWindow(end - start)
    try {
      const report = await this.#service.performance({ deployment, windowMs, startTime: start, endTime: end })
      return { windowMs, report }
    } catch (error) {
      // Outputs the service cannot read as a class or a value (a raw tensor, say) leave the page
      // without performance, not without its drift and alerts; the reason says what to set.
      if (isAppError(error) && error.code === 'INVALID_PARAMETER_VALUE') return { windowMs, unavailable: error.message }
      throw error
    }
  }
}

/** The shortest window that keeps a range to MAX_PAGE_WINDOWS points: hours over a few days, weeks over years. */
function pageWindow(rangeMs: number): number {
  const fits = PAGE_WINDOWS_MS.find((size) => rangeMs / size <= MAX_PAGE_WINDOWS)
  return fits ?? Math.ceil(rangeMs / MAX_PAGE_WINDOWS / DAY_MS) * DAY_MS
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
