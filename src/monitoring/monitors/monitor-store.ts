import type { Alert, AlertEvent, AlertState, Delivery, DeliveryStatus, DeliveryTarget, Monitor, MonitorRun, MonitorSpec } from './monitor-entities.js'

/** An alert's new state after a run, with the event to append when it fired or resolved. */
export interface AlertWrite {
  readonly alert: Alert
  /** Appended with the next sequence number; `seq` is assigned by the store. */
  readonly event?: Omit<AlertEvent, 'seq'>
}

/** A delivery to enqueue with a run; `status` pending, `attempts` 0. */
export interface NewDelivery {
  readonly id: string
  readonly alertId: string
  readonly target: DeliveryTarget
  readonly payload: unknown
}

/** Everything one finished run writes, committed together. */
export interface RunCompletion {
  readonly run: MonitorRun
  readonly alerts: readonly AlertWrite[]
  readonly deliveries: readonly NewDelivery[]
  /** When the monitor is due next. */
  readonly nextRunAt: number
  /** The lease holder; the lease is released only if it is still this owner's. */
  readonly owner: string
}

export interface AlertQuery {
  state?: AlertState
  monitorId?: string
  deployment?: string
  maxResults: number
}

export interface DeliveryUpdate {
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastError?: string
}

/** Persistence of monitors, their runs, alerts, alert history and notification deliveries. */
export interface MonitorStore {
  /** Inserts a monitor. Throws RESOURCE_ALREADY_EXISTS for a taken name. */
  create(monitor: Monitor): Promise<Monitor>
  /** The monitor, or undefined. */
  get(id: string): Promise<Monitor | undefined>
  /** The monitor with this name, or undefined. */
  getByName(name: string): Promise<Monitor | undefined>
  /** Every monitor, by name; only those watching `deployment` when given. */
  list(deployment?: string): Promise<Monitor[]>
  /** Replaces a monitor's spec (and when it is due); false if it does not exist. */
  update(id: string, spec: MonitorSpec, nextRunAt: number, at: number): Promise<boolean>
  /**
   * Deletes a monitor with its runs, alerts and pending deliveries; alert events stay (history is
   * append-only). False if it did not exist. Atomic.
   */
  delete(id: string): Promise<boolean>
  /**
   * Claims up to `limit` enabled monitors due at `now` (`next_run_at <= now`) whose lease is free
   * or expired, leasing each to `owner` until `leaseUntil`. Each monitor is taken by a conditional
   * UPDATE, so two workers or replicas claiming at once never both get the same monitor.
   */
  claimDue(now: number, owner: string, leaseUntil: number, limit: number): Promise<Monitor[]>
  /**
   * Claims one monitor whatever its schedule (a run on demand), if its lease is free or expired.
   * Undefined when another run holds it. Throws RESOURCE_DOES_NOT_EXIST for an unknown id.
   */
  claim(id: string, now: number, owner: string, leaseUntil: number): Promise<Monitor | undefined>
  /**
   * Records a finished run: inserts it, writes the alerts' new states, appends their events with
   * increasing sequence numbers, enqueues the deliveries, sets the next due time and releases the
   * lease. All or nothing. Events appended by concurrent runs are numbered in commit order, so a
   * consumer reading after a sequence number never skips one that commits later. Returns the
   * appended events with their sequence numbers.
   */
  completeRun(completion: RunCompletion): Promise<AlertEvent[]>
  /** Runs of a monitor in [start, end), newest first, at most `limit`. */
  listRuns(monitorId: string, options: { start?: number; end?: number; limit: number }): Promise<MonitorRun[]>
  /** The newest run of every monitor (for the /metrics gauges). */
  latestRuns(): Promise<MonitorRun[]>
  /** The alerts of one monitor (every state), by condition. */
  alertsOf(monitorId: string): Promise<Alert[]>
  /** The alert, or undefined. */
  getAlert(id: string): Promise<Alert | undefined>
  /** Alerts matching the query, most recently changed first. */
  listAlerts(query: AlertQuery): Promise<Alert[]>
  /** Events with `seq > after`, oldest first, at most `limit`; optionally of one monitor or deployment. */
  listEvents(after: number, limit: number, filter?: { monitorId?: string; deployment?: string; since?: number }): Promise<AlertEvent[]>
  /**
   * Claims up to `limit` pending deliveries due at `now`, leasing each to `owner` until
   * `leaseUntil` (conditional UPDATE, as `claimDue`), oldest first.
   */
  claimDeliveries(now: number, owner: string, leaseUntil: number, limit: number): Promise<Delivery[]>
  /** Records an attempt's outcome and releases the delivery's lease. */
  updateDelivery(id: string, update: DeliveryUpdate, at: number): Promise<void>
  /** Deletes delivered and given-up deliveries last changed before `before`; returns how many went. */
  deleteFinishedDeliveries(before: number): Promise<number>
  /**
   * Retention: deletes runs older than `before`, except each monitor's latest run (the gauges
   * and the dashboard read it however old it is). Returns how many were deleted.
   */
  deleteRunsBefore(before: number): Promise<number>
  /** Deliveries of a monitor, newest first (for operators and tests). */
  listDeliveries(monitorId: string, limit: number): Promise<Delivery[]>
}
