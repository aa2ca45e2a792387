import type { DeliveryDispatcher } from './delivery-dispatcher.js'
import type { MonitorService } from './monitor-service.js'

/** Passes over due monitors (or deliveries) per tick at most, so tiny schedules cannot hog a tick. */
const MAX_PASSES = 25
/** Delivered and given-up notifications are kept this long for inspection, then deleted. */
const KEEP_DELIVERIES_MS = 7 * 86_400_000
const PRUNE_EVERY_MS = 3_600_000
/** A run every minute is 130,000 rows in 90 days: enough history for the dashboard, bounded. */
const KEEP_RUNS_MS = 90 * 86_400_000

export interface SchedulerOptions {
  /** How often due monitors and deliveries are looked for. Default 5 s. */
  readonly pollMs?: number
  /** Monitor runs older than this are deleted (each monitor's latest is kept). Default 90 days. */
  readonly keepRunsMs?: number
  /** Called with errors of a tick (a database outage); the loop keeps going. */
  readonly onError?: (error: unknown) => void
}

/**
 * The loop each server process runs: claim due monitors and run them, then send due deliveries.
 * Claims go through the store, so any number of workers and replicas can run this loop at once
 * and a monitor still runs once per slot.
 */
export class MonitorScheduler {
  readonly #monitors: MonitorService
  readonly #dispatcher: DeliveryDispatcher
  readonly #pollMs: number
  readonly #onError: (error: unknown) => void
  readonly #keepRunsMs: number
  #timer: NodeJS.Timeout | undefined
  #tick: Promise<void> | undefined
  #prunedAt = 0

  constructor(monitors: MonitorService, dispatcher: DeliveryDispatcher, options: SchedulerOptions = {}) {
    this.#monitors = monitors
    this.#dispatcher = dispatcher
    this.#pollMs = options.pollMs ?? 5_000
    this.#onError = options.onError ?? (() => undefined)
    this.#keepRunsMs = options.keepRunsMs ?? KEEP_RUNS_MS
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.tick(), this.#pollMs)
    this.#timer.unref()
  }

  /** One pass; overlapping passes are skipped, so a slow run does not pile up ticks. */
  tick(): Promise<void> {
    this.#tick ??= (async () => {
      try {
        // Keep going while monitors are due: a backlog after downtime drains in one tick.
        for (let pass = 0; pass < MAX_PASSES && (await this.#monitors.runDue()) > 0; pass++);
        for (let pass = 0; pass < MAX_PASSES && (await this.#dispatcher.dispatchDue()) > 0; pass++);
        const now = Date.now()
        if (now - this.#prunedAt > PRUNE_EVERY_MS) {
          this.#prunedAt = now
          await this.#monitors.store.deleteFinishedDeliveries(now - KEEP_DELIVERIES_MS)
          await this.#monitors.store.deleteRunsBefore(now - this.#keepRunsMs)
        }
      } catch (error) {
        this.#onError(error)
      } finally {
        this.#tick = undefined
      }
    })()
    return this.#tick
  }

  /** Stops the loop and waits for a pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#tick
  }
}
