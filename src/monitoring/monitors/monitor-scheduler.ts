import type { DeliveryDispatcher } from './delivery-dispatcher.js'
import type { MonitorService } from './monitor-service.js'

export interface SchedulerOptions {
  /** How often due monitors and deliveries are looked for. Default 5 s. */
  readonly pollMs?: number
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
  #timer: NodeJS.Timeout | undefined
  #tick: Promise<void> | undefined

  constructor(monitors: MonitorService, dispatcher: DeliveryDispatcher, options: SchedulerOptions = {}) {
    this.#monitors = monitors
    this.#dispatcher = dispatcher
    this.#pollMs = options.pollMs ?? 5_000
    this.#onError = options.onError ?? (() => undefined)
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
        while ((await this.#monitors.runDue()) > 0) {
          // Keep going while monitors are due: a backlog after downtime drains in one tick.
        }
        while ((await this.#dispatcher.dispatchDue()) > 0) {
          // Likewise for deliveries; retries are not due yet, so this ends.
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
