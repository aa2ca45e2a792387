import { SYSTEM_CLOCK, type Clock } from '../../shared/clock.js'
import { notFound } from '../../shared/errors.js'
import type { LaunchResult, PipelineLauncher } from '../pipeline-launcher.js'
import { AlertPoller } from './alert-poller.js'
import { CronPoller } from './cron-poller.js'
import { DataPoller } from './data-poller.js'
import { triggerKeys, triggerProblems } from './trigger-checks.js'
import { fire, type ArmedTrigger, type TriggerContext, type TriggerLog, type TriggerPoller } from './trigger-context.js'
import type { AlertFeed, DatasetFeed, ObjectLister, TriggeredPipeline, TriggerSource } from './trigger-ports.js'
import type { TriggerStateStore } from './trigger-state-store.js'
import { webhookEvent } from './webhook-trigger.js'

const DEFAULT_POLL_MS = 30_000

export interface TriggerManagerOptions {
  readonly source: TriggerSource
  readonly launcher: PipelineLauncher
  readonly store: TriggerStateStore
  /** Monitor alert events (MonitorService); without it alert triggers are not armed. */
  readonly alerts?: AlertFeed
  /** Datasets logged to runs; without it dataset triggers are not armed. */
  readonly tracking?: DatasetFeed
  /** Lists artifact prefixes; without it prefix triggers are not armed. */
  readonly artifacts?: ObjectLister
  readonly clock?: Clock
  /** How often data is listed, alert events re-read and pipelines re-listed. Default 30 s. */
  readonly pollIntervalMs?: number
  readonly log?: TriggerLog
}

/** A webhook the pipeline takes but that asks for no run. */
export type WebhookResult = LaunchResult | { readonly started: false; readonly reason: 'alert_resolved' }

/** Runs one poll of a trigger at a time; a poll asked for meanwhile runs once after it. */
class Serial {
  #running: Promise<void> | undefined
  #again = false

  run(task: () => Promise<void>): Promise<void> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false
          await task()
        } while (this.#again)
      } finally {
        this.#running = undefined
      }
    })()
    return this.#running
  }
}

/**
 * Decides when pipelines run: cron ticks, monitor alerts, new data, webhooks. Every replica may
 * run one; each event has a stable id and the launcher starts at most one run per (pipeline,
 * event id), and cursors move by compare-and-set, so replicas neither double-start nor rewind.
 */
export class TriggerManager {
  readonly #o: TriggerManagerOptions
  readonly #ctx: TriggerContext
  readonly #pollers = new Map<string, { poller: TriggerPoller; serial: Serial; signature: string }>()
  readonly #unsubscribe: Array<() => void> = []
  #timer: NodeJS.Timeout | undefined
  #started = false

  constructor(options: TriggerManagerOptions) {
    this.#o = options
    const log = options.log ?? ((level, message) => (level === 'warn' ? console.warn(message) : undefined))
    this.#ctx = { store: options.store, launcher: options.launcher, clock: options.clock ?? SYSTEM_CLOCK, log }
  }

  /** The triggers being watched. */
  get armed(): ArmedTrigger[] {
    return [...this.#pollers.values()].map((p) => p.poller.armed)
  }

  /** Arms the current triggers, listens for alerts and pipeline changes, and polls on a timer. */
  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    const bus = this.#o.alerts?.events
    if (bus) this.#unsubscribe.push(bus.subscribe(() => void this.pollAlerts()))
    if (this.#o.source.onChange) this.#unsubscribe.push(this.#o.source.onChange(() => void this.refresh().catch((e) => this.#warn('re-reading pipelines', e))))
    await this.#loop()
  }

  async stop(): Promise<void> {
    this.#started = false
    clearTimeout(this.#timer)
    for (const off of this.#unsubscribe.splice(0)) off()
  }

  /** Re-reads the pipelines: arms new triggers, drops removed ones, keeps unchanged ones as they are. */
  async refresh(): Promise<void> {
    const wanted = new Map<string, { armed: ArmedTrigger; signature: string }>()
    for (const entry of await this.#o.source.list()) {
      for (const armed of this.#arm(entry)) wanted.set(armed.key, { armed, signature: JSON.stringify(armed.spec) })
    }
    for (const key of [...this.#pollers.keys()]) if (!wanted.has(key)) this.#pollers.delete(key)
    const fresh: Array<{ poller: TriggerPoller; serial: Serial }> = []
    for (const [key, { armed, signature }] of wanted) {
      if (this.#pollers.get(key)?.signature === signature) continue
      const poller = this.#pollerFor(armed)
      if (!poller) continue
      const entry = { poller, serial: new Serial(), signature }
      this.#pollers.set(key, entry)
      fresh.push(entry)
    }
    // A new trigger's first poll takes its baseline (the newest alert event, the objects already
    // there). Taken now, at arming: taken later, an alert committed in between would count as
    // history and start nothing.
    await Promise.all(fresh.map(({ poller, serial }) => serial.run(() => poller.poll()).catch((e) => this.#warn(`arming the ${poller.armed.spec.kind} trigger of ${poller.armed.pipeline}`, e))))
  }

  /** One pass over every trigger; a failing one is logged and retried on the next pass. */
  async poll(): Promise<void> {
    await this.#pollWhere(() => true)
  }

  /** Reads new alert events now (the bus says one committed). */
  async pollAlerts(): Promise<void> {
    await this.#pollWhere((p) => p.armed.spec.kind === 'alert')
  }

  /**
   * A POST to the pipeline's webhook. Throws RESOURCE_DOES_NOT_EXIST when the pipeline has no
   * webhook trigger and INVALID_PARAMETER_VALUE (naming the params) when the body lacks a mapped field.
   */
  async webhook(pipeline: string, body: Record<string, unknown>, headerEventId?: string): Promise<WebhookResult> {
    const entry = (await this.#o.source.list()).find((p) => p.pipeline === pipeline)
    const index = entry?.triggers.findIndex((t) => t.kind === 'webhook') ?? -1
    if (entry === undefined || index < 0) {
      throw notFound(entry === undefined ? `Pipeline '${pipeline}' does not exist.` : `Pipeline '${pipeline}' has no webhook trigger; add one to its triggers (- webhook: { params: … }) and apply it.`)
    }
    const event = webhookEvent(body, headerEventId)
    if (event.ignored) return { started: false, reason: event.ignored }
    const armed = { key: triggerKeys(pipeline, entry.triggers)[index]!, pipeline, version: entry.version, spec: entry.triggers[index]! }
    return fire(this.#ctx, armed, event.eventId, event.payload, true)
  }

  #arm(entry: TriggeredPipeline): ArmedTrigger[] {
    const keys = triggerKeys(entry.pipeline, entry.triggers)
    return entry.triggers.flatMap((spec, i) => {
      const problems = triggerProblems(spec)
      if (problems.length === 0) return [{ key: keys[i]!, pipeline: entry.pipeline, version: entry.version, spec }]
      this.#ctx.log('warn', `pipeline ${entry.pipeline} v${entry.version}: triggers[${i}] is not armed: ${problems.join('; ')}`)
      return []
    })
  }

  #pollerFor(armed: ArmedTrigger): TriggerPoller | undefined {
    const { spec } = armed
    try {
      if (spec.kind === 'cron') return new CronPoller(this.#ctx, armed)
      if (spec.kind === 'data') return new DataPoller(this.#ctx, armed, { tracking: this.#o.tracking, artifacts: this.#o.artifacts })
      if (spec.kind === 'alert') {
        if (this.#o.alerts) return new AlertPoller(this.#ctx, armed, this.#o.alerts)
        throw new Error('this server has no monitor alerts wired in')
      }
      return undefined
    } catch (error) {
      this.#warn(`arming the ${spec.kind} trigger of ${armed.pipeline}`, error)
      return undefined
    }
  }

  async #pollWhere(wanted: (poller: TriggerPoller) => boolean): Promise<void> {
    const chosen = [...this.#pollers.values()].filter((p) => wanted(p.poller))
    await Promise.all(chosen.map(({ poller, serial }) => serial.run(() => poller.poll()).catch((e) => this.#warn(`${poller.armed.spec.kind} trigger of ${poller.armed.pipeline}`, e))))
  }

  async #loop(): Promise<void> {
    if (!this.#started) return
    await this.refresh().catch((e) => this.#warn('listing pipelines', e))
    await this.poll()
    if (!this.#started) return
    this.#timer = setTimeout(() => void this.#loop(), this.#delay())
    this.#timer.unref()
  }

  /** Until the next cron tick if sooner than the poll interval. */
  #delay(): number {
    const interval = this.#o.pollIntervalMs ?? DEFAULT_POLL_MS
    const now = this.#ctx.clock.now()
    const wakes = [...this.#pollers.values()].map((p) => p.poller.wakeAt?.(now)).filter((t): t is number => t !== undefined)
    return Math.max(0, Math.min(interval, ...wakes.map((t) => t - now)))
  }

  #warn(what: string, error: unknown): void {
    this.#ctx.log('warn', `pipeline triggers: ${what} failed: ${(error as Error).message ?? String(error)}`)
  }
}
