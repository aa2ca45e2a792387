/**
 * Test doubles that behave like the real parts: a pipeline list in memory, a launcher that
 * applies the concurrency policy and event de-duplication as the pipeline runner does, a clock
 * tests move by hand, and alert events committed through the real SQL monitor store.
 */
import { randomUUID } from 'node:crypto'
import { AlertEventBus } from '../../monitoring/monitors/alert-event-bus.js'
import type { AlertEvent } from '../../monitoring/monitors/monitor-entities.js'
import { SqlMonitorStore } from '../../storage/sql/sql-monitor-store.js'
import type { SqlDatabase } from '../../storage/sql/sql-database.js'
import type { Clock } from '../../shared/clock.js'
import type { ConcurrencyPolicy, TriggerSpec } from '../pipeline-spec.js'
import type { LaunchRequest, LaunchResult, PipelineLauncher } from '../pipeline-launcher.js'
import type { AlertFeed, TriggeredPipeline, TriggerSource } from './trigger-ports.js'

export class MemoryTriggerSource implements TriggerSource {
  readonly #pipelines = new Map<string, TriggeredPipeline>()
  readonly #listeners = new Set<() => void>()

  set(pipeline: string, triggers: TriggerSpec[]): void {
    const version = (this.#pipelines.get(pipeline)?.version ?? 0) + 1
    this.#pipelines.set(pipeline, { pipeline, version, triggers })
    for (const listener of this.#listeners) listener()
  }

  remove(pipeline: string): void {
    this.#pipelines.delete(pipeline)
    for (const listener of this.#listeners) listener()
  }

  async list(): Promise<TriggeredPipeline[]> {
    return [...this.#pipelines.values()]
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

export interface LaunchedRun {
  readonly runId: string
  readonly request: LaunchRequest
  state: 'running' | 'finished' | 'cancelled'
}

/**
 * Starts "runs" that stay running until `finish`. Like the real launcher: an event id already
 * started for the pipeline is a duplicate; `forbid` refuses while a run is active; `replace`
 * cancels the active runs and starts the new one.
 */
export class RecordingLauncher implements PipelineLauncher {
  readonly runs: LaunchedRun[] = []
  readonly refused: Array<{ request: LaunchRequest; result: LaunchResult }> = []
  readonly #policies: Record<string, ConcurrencyPolicy>
  readonly #events = new Set<string>()
  /** Makes the next `failures` launches throw, like a database that is down. */
  failures = 0

  constructor(policies: Record<string, ConcurrencyPolicy> = {}) {
    this.#policies = policies
  }

  async launch(request: LaunchRequest): Promise<LaunchResult> {
    if (this.failures > 0) {
      this.failures--
      throw new Error('launcher unavailable')
    }
    const eventKey = request.trigger.eventId === undefined ? undefined : `${request.pipeline}\u0000${request.trigger.eventId}`
    const active = this.active(request.pipeline)
    const policy = request.concurrency ?? this.#policies[request.pipeline] ?? 'allow'
    let result: LaunchResult
    if (eventKey !== undefined && this.#events.has(eventKey)) result = { started: false, reason: 'duplicate' }
    else if (policy === 'forbid' && active.length > 0) result = { started: false, reason: 'forbidden', activeRunId: active[0]!.runId }
    else result = this.#start(request, policy === 'replace' ? active : [], eventKey)
    if (!result.started) this.refused.push({ request, result })
    return result
  }

  active(pipeline: string): LaunchedRun[] {
    return this.runs.filter((r) => r.request.pipeline === pipeline && r.state === 'running')
  }

  finish(runId: string): void {
    const run = this.runs.find((r) => r.runId === runId)
    if (run) run.state = 'finished'
  }

  #start(request: LaunchRequest, replaced: LaunchedRun[], eventKey: string | undefined): LaunchResult {
    for (const run of replaced) run.state = 'cancelled'
    if (eventKey !== undefined) this.#events.add(eventKey)
    const runId = `run-${this.runs.length + 1}`
    this.runs.push({ runId, request, state: 'running' })
    return replaced.length > 0 ? { started: true, runId, replaced: replaced[0]!.runId } : { started: true, runId }
  }
}

export class ManualClock implements Clock {
  #now: number
  constructor(start: number | string) {
    this.#now = typeof start === 'number' ? start : Date.parse(start)
  }
  now(): number {
    return this.#now
  }
  set(time: number | string): void {
    this.#now = typeof time === 'number' ? time : Date.parse(time)
  }
}

export type NewAlertEvent = Partial<Omit<AlertEvent, 'seq'>> & { monitorName: string }

/**
 * Alert events committed the way a monitor run commits them (SqlMonitorStore.completeRun), read
 * back with `eventsAfter` as MonitorService does, and published on a bus only when asked (an
 * event committed by another process reaches this one through the store alone).
 */
export class StoredAlertEvents implements AlertFeed {
  readonly events = new AlertEventBus()
  readonly #store: SqlMonitorStore
  #runs = 0

  constructor(database: SqlDatabase) {
    this.#store = new SqlMonitorStore(database)
  }

  async commit(events: NewAlertEvent[], options: { publish: boolean }): Promise<AlertEvent[]> {
    const time = 1_000 + ++this.#runs
    const alerts = events.map((e, i) => {
      const event = { alertId: `a-${e.monitorName}-${i}`, monitorId: `m-${e.monitorName}`, condition: `drift_share#${i}`, conditionType: 'drift_share' as const, severity: 'warning', kind: 'fired' as const, value: 0.6, startedAt: time, time, deployment: 'churn-api', ...e }
      const alert = { id: event.alertId, monitorId: event.monitorId, monitorName: event.monitorName, deployment: event.deployment, condition: event.condition, conditionType: event.conditionType, severity: event.severity, state: event.kind === 'fired' ? ('firing' as const) : ('resolved' as const), streak: 1, since: time, startedAt: time, lastValue: event.value, updatedAt: time }
      return { alert, event }
    })
    const committed = await this.#store.completeRun({ run: { id: randomUUID(), monitorId: alerts[0]?.event.monitorId ?? 'm', time, outcome: 'ok' }, alerts, deliveries: [], nextRunAt: time + 60_000, owner: 'test' })
    if (options.publish) for (const event of committed) this.events.publish(event)
    return committed
  }

  eventsAfter(after: number, limit?: number): Promise<AlertEvent[]> {
    return this.#store.listEvents(after, limit ?? 100)
  }
}
