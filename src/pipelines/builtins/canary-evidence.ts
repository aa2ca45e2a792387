import type { Services } from '../../app/services.js'
import { quantile } from '../../monitoring/monitors/monitor-evaluation.js'
import type { Alert, AlertEvent, Monitor } from '../../monitoring/monitors/monitor-entities.js'
import { isAppError } from '../../shared/errors.js'

const PAGE = 1000

/** What one bake of a canary stage showed about the candidate route. */
export interface BakeEvidence {
  readonly weight: number
  readonly start: number
  readonly end: number
  /** Requests the deployment routed to the candidate version during the bake. */
  readonly requests: number
  readonly errors: number
  readonly errorRate: number
  readonly p99Ms: number | null
  /** `monitor: condition` of every alert of the consulted monitors that fired during the bake or fires now. */
  readonly alerts: string[]
}

export interface CanaryBounds {
  readonly maxErrorRate: number
  readonly maxP99Ms?: number
  readonly minRequests: number
}

export interface BakeQuery {
  readonly deployment: string
  readonly model: string
  readonly version: number
  readonly weight: number
  readonly start: number
  readonly end: number
  /** The monitors named by the step; empty means every monitor of the deployment. */
  readonly monitors: readonly Monitor[]
}

/** Traffic of the candidate route over the bake, from the prediction logs serving wrote. */
async function routeTraffic(services: Services, q: BakeQuery): Promise<{ requests: number; errors: number; latencies: number[] }> {
  // Serving buffers its logs; what it answered before this point must be counted.
  await services.predictionLogs.flush()
  const latencies: number[] = []
  let errors = 0
  let pageToken: string | undefined
  do {
    const page = await services.predictionLogs.list({ deployment: q.deployment, model: q.model, version: String(q.version), startTime: q.start, endTime: q.end + 1, maxResults: PAGE, ...(pageToken ? { pageToken } : {}) })
    for (const log of page.items) {
      latencies.push(log.latencyMs)
      if (log.error !== undefined) errors++
    }
    pageToken = page.nextPageToken
  } while (pageToken)
  return { requests: latencies.length, errors, latencies }
}

/** Named monitors are run once at the end of the bake so their verdict covers it. */
export async function runMonitors(services: Services, monitors: readonly Monitor[], log: (line: string) => void): Promise<void> {
  for (const monitor of monitors) {
    try {
      const run = await services.monitors.runNow(monitor.id)
      log(`deploy-canary: monitor ${monitor.spec.name} ran: ${run.outcome}${run.error ? ` (${run.error})` : ''}`)
    } catch (error) {
      // Another worker is running it right now; its result lands in the same alerts.
      if (!isAppError(error) || error.code !== 'INVALID_STATE') throw error
    }
  }
}

async function bakeAlerts(services: Services, q: BakeQuery): Promise<string[]> {
  const store = services.monitors.store
  const scopes = q.monitors.length > 0 ? q.monitors.map((m) => ({ monitorId: m.id })) : [{ deployment: q.deployment }]
  const found = new Set<string>()
  const add = (a: Alert | AlertEvent) => found.add(`${a.monitorName}: ${a.condition}`)
  for (const scope of scopes) {
    for (const alert of await store.listAlerts({ state: 'firing', maxResults: PAGE, ...scope })) add(alert)
    for (const event of await store.listEvents(0, PAGE, { ...scope, since: q.start })) {
      if (event.kind === 'fired' && event.time <= q.end) add(event)
    }
  }
  return [...found]
}

export async function gatherEvidence(services: Services, q: BakeQuery): Promise<BakeEvidence> {
  const traffic = await routeTraffic(services, q)
  const alerts = await bakeAlerts(services, q)
  const errorRate = traffic.requests === 0 ? 0 : traffic.errors / traffic.requests
  return { weight: q.weight, start: q.start, end: q.end, requests: traffic.requests, errors: traffic.errors, errorRate, p99Ms: quantile(Float64Array.from(traffic.latencies), 0.99), alerts }
}

/** Why the candidate must not advance; empty when the bake was healthy. */
export function rollbackReasons(e: BakeEvidence, bounds: CanaryBounds): string[] {
  const reasons: string[] = []
  if (e.alerts.length > 0) reasons.push(`alert${e.alerts.length > 1 ? 's' : ''} firing: ${e.alerts.join('; ')}`)
  if (e.requests < bounds.minRequests) reasons.push(`only ${e.requests} request${e.requests === 1 ? '' : 's'} reached the candidate (min_requests ${bounds.minRequests})`)
  if (e.requests > 0 && e.errorRate > bounds.maxErrorRate) reasons.push(`error rate ${round(e.errorRate)} (${e.errors}/${e.requests}) above max_error_rate ${bounds.maxErrorRate}`)
  if (bounds.maxP99Ms !== undefined && e.p99Ms !== null && e.p99Ms > bounds.maxP99Ms) reasons.push(`p99 latency ${round(e.p99Ms)} ms above max_p99_ms ${bounds.maxP99Ms}`)
  return reasons
}

export function describeEvidence(e: BakeEvidence): string {
  return `at ${e.weight}%: ${e.requests} requests, ${e.errors} errors (rate ${round(e.errorRate)}), p99 ${e.p99Ms === null ? 'n/a' : `${round(e.p99Ms)} ms`}, alerts ${e.alerts.length === 0 ? 'none' : e.alerts.join('; ')}`
}

function round(v: number): number {
  return Number(v.toPrecision(4))
}
