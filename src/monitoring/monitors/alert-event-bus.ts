import { EventEmitter } from 'node:events'
import type { AlertEvent } from './monitor-entities.js'

/**
 * Alert events in the process that ran the monitor, as they commit: retraining triggers subscribe
 * here. Consumers in other processes (or that must not miss one across a restart) read
 * `GET /api/plinth/v1/alerts/events?after=<seq>` instead; `seq` is the same in both.
 */
export class AlertEventBus {
  readonly #emitter = new EventEmitter()

  /** Calls `listener` for every event; returns a function that unsubscribes. */
  subscribe(listener: (event: AlertEvent) => void): () => void {
    this.#emitter.on('alert', listener)
    return () => this.#emitter.off('alert', listener)
  }

  /** Delivers to each subscriber; one that throws does not stop the others or the monitor. */
  publish(event: AlertEvent): void {
    for (const listener of this.#emitter.listeners('alert') as Array<(e: AlertEvent) => void>) {
      try {
        listener(event)
      } catch {
        // A subscriber's bug must not fail the monitor run that already committed.
      }
    }
  }
}
