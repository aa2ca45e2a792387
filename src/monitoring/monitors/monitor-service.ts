import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { MonitorMetrics } from '../../observability/monitor-metrics.js'
import { SYSTEM_CLOCK, type Clock } from '../../shared/clock.js'
import { AppError, invalidParameter, notFound } from '../../shared/errors.js'
import { AlertEventBus } from './alert-event-bus.js'
import { nextAlertState, type AlertContext } from './alert-state.js'
import type { Alert, AlertEvent, AlertState, Monitor, MonitorRun, MonitorSpec } from './monitor-entities.js'
import { runMonitor, type ReferenceWindowCache, type RunnerSources } from './monitor-runner.js'
import type { PerformanceHistory } from './monitoring-dashboard.js'
import { conditionKey, parseMonitorSpec } from './monitor-spec.js'
import type { AlertWrite, MonitorStore, NewDelivery } from './monitor-store.js'
import { alertmanagerPayload, webhookPayload } from './notification-payloads.js'
import { nextRunAfter } from './schedule.js'

/** A run holds its monitor this long at most; a crashed worker's lease then lapses. */
const RUN_LEASE_MS = 10 * 60_000
const MAX_LIST = 1000
const MIN_ALERTMANAGER_HOLD_MS = 5 * 60_000

export interface MonitorServiceOptions extends RunnerSources {
  readonly store: MonitorStore
  readonly clock?: Clock
  readonly events?: AlertEventBus
  readonly metrics?: MonitorMetrics
  /** Where this server is reachable, for links in notifications. */
  readonly publicUrl?: string
  /** Performance over time for the dashboard data, when the performance service is wired in. */
  readonly performanceHistory?: PerformanceHistory
}

/** Monitors: CRUD, runs (scheduled and on demand), alerts and their history. */
export class MonitorService {
  readonly events: AlertEventBus
  /** Who holds leases taken by this process. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  readonly #o: MonitorServiceOptions
  readonly #clock: Clock
  #publicUrl: string
  readonly #referenceWindows: ReferenceWindowCache = new Map()

  constructor(options: MonitorServiceOptions) {
    this.#o = options
    this.#clock = options.clock ?? SYSTEM_CLOCK
    this.events = options.events ?? new AlertEventBus()
    this.#publicUrl = options.publicUrl ?? 'http://127.0.0.1:5000'
  }

  get store(): MonitorStore {
    return this.#o.store
  }

  get performanceHistory(): PerformanceHistory | undefined {
    return this.#o.performanceHistory
  }

  /** Set once the server knows the address it listens on. */
  setPublicUrl(url: string): void {
    this.#publicUrl = url
  }

  /**
   * Creates a monitor from its wire spec. Throws INVALID_PARAMETER_VALUE naming the field,
   * RESOURCE_DOES_NOT_EXIST for an unknown deployment or model, RESOURCE_ALREADY_EXISTS for a taken name.
   */
  async create(input: unknown): Promise<Monitor> {
    const spec = parseMonitorSpec(input)
    await this.#o.references.resolve(spec.target)
    const now = this.#clock.now()
    return this.#o.store.create({ id: randomUUID().replaceAll('-', ''), spec, nextRunAt: nextRunAfter(spec.schedule, now), createdAt: now, updatedAt: now })
  }

  /**
   * Replaces a monitor's spec (the whole spec, as `create` takes it); its runs, alerts and history
   * stay. The next run is rescheduled from the new schedule. Same errors as `create`, plus
   * RESOURCE_DOES_NOT_EXIST for an unknown monitor and RESOURCE_ALREADY_EXISTS for a rename to a taken name.
   */
  async update(idOrName: string, input: unknown): Promise<Monitor> {
    const current = await this.get(idOrName)
    const spec = parseMonitorSpec(input)
    await this.#o.references.resolve(spec.target)
    if (spec.name !== current.spec.name && (await this.#o.store.getByName(spec.name))) {
      throw new AppError('RESOURCE_ALREADY_EXISTS', `A monitor named '${spec.name}' already exists; choose another name or update that monitor.`)
    }
    const now = this.#clock.now()
    const nextRunAt = nextRunAfter(spec.schedule, now)
    if (!(await this.#o.store.update(current.id, spec, nextRunAt, now))) throw notFound(`Monitor '${idOrName}' was deleted while it was being updated.`)
    this.#o.metrics?.invalidate()
    return { ...current, spec, nextRunAt, updatedAt: now }
  }

  /** A monitor by id or name. Throws RESOURCE_DOES_NOT_EXIST. */
  async get(idOrName: string): Promise<Monitor> {
    const monitor = (await this.#o.store.get(idOrName)) ?? (await this.#o.store.getByName(idOrName))
    if (!monitor) throw notFound(`Monitor '${idOrName}' does not exist; list monitors with: plinth monitors list`)
    return monitor
  }

  list(deployment?: string): Promise<Monitor[]> {
    return this.#o.store.list(deployment)
  }

  async delete(idOrName: string): Promise<void> {
    const monitor = await this.get(idOrName)
    await this.#o.store.delete(monitor.id)
    this.#o.metrics?.invalidate()
  }

  /** Runs a monitor now, whatever its schedule. INVALID_STATE if a run of it is under way. */
  async runNow(idOrName: string): Promise<MonitorRun> {
    const { id } = await this.get(idOrName)
    const now = this.#clock.now()
    const claimed = await this.#o.store.claim(id, now, this.owner, now + RUN_LEASE_MS)
    if (!claimed) throw new AppError('INVALID_STATE', `Monitor '${idOrName}' is running now (on another worker or replica); wait for that run and read it with: plinth monitors show ${idOrName}`)
    return this.#execute(claimed)
  }

  /** Claims and runs every monitor due now (the scheduler's tick); returns how many ran. */
  async runDue(limit = 4): Promise<number> {
    const now = this.#clock.now()
    const due = await this.#o.store.claimDue(now, this.owner, now + RUN_LEASE_MS, limit)
    for (const monitor of due) await this.#execute(monitor)
    return due.length
  }

  async #execute(monitor: Monitor): Promise<MonitorRun> {
    const { spec } = monitor
    const now = this.#clock.now()
    let run: MonitorRun
    try {
      const results = await runMonitor(spec, now, { ...this.#o, referenceWindows: this.#referenceWindows })
      run = { id: randomUUID(), monitorId: monitor.id, time: now, outcome: 'ok', results }
    } catch (error) {
      const message = error instanceof AppError && error.code !== 'INTERNAL_ERROR' ? error.message : `Unexpected error: ${(error as Error).message}`
      run = { id: randomUUID(), monitorId: monitor.id, time: now, outcome: 'failed', error: message }
    }
    const { alerts, deliveries } = await this.#alertChanges(monitor, run)
    const events = await this.#o.store.completeRun({ run, alerts, deliveries, nextRunAt: nextRunAfter(spec.schedule, this.#clock.now()), owner: this.owner })
    this.#o.metrics?.runs.inc({ monitor: spec.name, outcome: run.outcome })
    this.#o.metrics?.invalidate()
    for (const event of events) this.events.publish(event)
    return run
  }

  async #alertChanges(monitor: Monitor, run: MonitorRun): Promise<{ alerts: AlertWrite[]; deliveries: NewDelivery[] }> {
    const results = run.results
    if (!results) return { alerts: [], deliveries: [] }
    const { spec } = monitor
    const previous = new Map((await this.#o.store.alertsOf(monitor.id)).map((a) => [a.condition, a]))
    const context: AlertContext = { monitorId: monitor.id, monitorName: spec.name, ...(results.deployment ? { deployment: results.deployment } : {}), ...(results.model ? { model: results.model } : {}) }
    const alerts: AlertWrite[] = []
    const deliveries: NewDelivery[] = []
    spec.conditions.forEach((condition, i) => {
      const result = results.conditions[i]!
      const { alert, event } = nextAlertState(previous.get(conditionKey(condition)), condition, result, context, run.time, () => randomUUID())
      if (!alert) return
      alerts.push(event ? { alert, event: this.#event(alert, event, run.time) } : { alert })
      deliveries.push(...this.#notifications(spec, alert, event !== undefined, run.time))
    })
    return { alerts, deliveries }
  }

  #event(alert: Alert, kind: 'fired' | 'resolved', time: number): Omit<AlertEvent, 'seq'> {
    const { id: alertId, monitorId, monitorName, deployment, model, condition, conditionType, severity, lastValue } = alert
    return { alertId, monitorId, monitorName, deployment, model, condition, conditionType, severity, kind, value: lastValue, startedAt: alert.startedAt ?? alert.since, time }
  }

  /** Webhooks hear of changes; Alertmanager also gets every firing alert again on each run. */
  #notifications(spec: MonitorSpec, alert: Alert, changed: boolean, now: number): NewDelivery[] {
    if (alert.state === 'pending' || (alert.state === 'resolved' && !changed)) return []
    const out: NewDelivery[] = []
    if (changed) {
      for (const hook of spec.notifications.webhooks) {
        out.push({ id: randomUUID(), alertId: alert.id, target: { kind: 'webhook', url: hook.url, headers: hook.headers }, payload: webhookPayload(alert, this.#publicUrl, now) })
      }
    }
    const am = spec.notifications.alertmanager
    if (am) {
      const interval = nextRunAfter(spec.schedule, now) - now
      const payload = alertmanagerPayload(alert, spec, this.#publicUrl, now, Math.max(4 * interval, MIN_ALERTMANAGER_HOLD_MS))
      out.push({ id: randomUUID(), alertId: alert.id, target: { kind: 'alertmanager', url: am.url }, payload })
    }
    return out
  }

  runs(idOrName: string, options: { start?: number; end?: number; limit?: number }): Promise<MonitorRun[]> {
    return this.get(idOrName).then((m) => this.#o.store.listRuns(m.id, { ...options, limit: clampLimit(options.limit, 100) }))
  }

  async alerts(query: { state?: string; monitor?: string; deployment?: string; maxResults?: number }): Promise<Alert[]> {
    if (query.state !== undefined && !['pending', 'firing', 'resolved'].includes(query.state)) throw invalidParameter(`state: '${query.state}' is not an alert state; use firing, resolved or pending.`)
    const monitorId = query.monitor === undefined ? undefined : (await this.get(query.monitor)).id
    return this.#o.store.listAlerts({ state: query.state as AlertState | undefined, monitorId, deployment: query.deployment, maxResults: clampLimit(query.maxResults, 100) })
  }

  async alert(id: string): Promise<Alert> {
    const alert = await this.#o.store.getAlert(id)
    if (!alert) throw notFound(`Alert '${id}' does not exist.`)
    return alert
  }

  /** Events after a sequence number (0 for all), oldest first. */
  eventsAfter(after: number, limit?: number): Promise<AlertEvent[]> {
    if (!Number.isSafeInteger(after) || after < 0) throw invalidParameter(`after: must be a sequence number (0 or more); got ${after}.`)
    return this.#o.store.listEvents(after, clampLimit(limit, 100))
  }
}

function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw invalidParameter(`max_results: must be an integer from 1 to ${MAX_LIST}; got ${limit}.`)
  return limit
}
