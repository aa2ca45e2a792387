import type { AlertEvent } from '../../monitoring/monitors/monitor-entities.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import { alertEventId, alertMatches } from './alert-trigger.js'
import { fire, type ArmedTrigger, type TriggerContext, type TriggerPoller } from './trigger-context.js'
import type { AlertFeed } from './trigger-ports.js'

const PAGE = 500

/**
 * Reads committed alert events after the trigger's stored seq, so events committed by another
 * process, or while this one was down, still start their run. The cursor moves only past events
 * already handed to the launcher; a crash in between re-sends some, which the launcher drops by
 * event id. A trigger seen for the first time starts after the newest event: history is not replayed.
 */
export class AlertPoller implements TriggerPoller {
  readonly armed: ArmedTrigger
  readonly #ctx: TriggerContext
  readonly #feed: AlertFeed
  readonly #spec: Extract<TriggerSpec, { kind: 'alert' }>

  constructor(ctx: TriggerContext, armed: ArmedTrigger, feed: AlertFeed) {
    if (armed.spec.kind !== 'alert') throw new TypeError('AlertPoller needs an alert trigger')
    this.armed = armed
    this.#ctx = ctx
    this.#feed = feed
    this.#spec = armed.spec
  }

  async poll(): Promise<void> {
    let cursor = await this.#ctx.store.getCursor(this.armed.key)
    if (cursor === undefined) return this.#baseline()
    for (;;) {
      const events = await this.#feed.eventsAfter(Number(cursor), PAGE)
      if (events.length === 0) return
      const { done, error } = await this.#handle(events)
      if (done !== undefined) {
        const moved = await this.#ctx.store.compareAndSetCursor(this.armed.key, cursor, done, this.#ctx.clock.now())
        // Lost the race: another replica handled these; carry on from where it got to.
        const next = moved ? done : await this.#ctx.store.getCursor(this.armed.key)
        if (next === undefined) return
        cursor = next
      }
      if (error !== undefined) throw error
      if (events.length < PAGE) return
    }
  }

  /** Launches for matching events in order, stopping at the first launch that fails. */
  async #handle(events: readonly AlertEvent[]): Promise<{ done?: string; error?: unknown }> {
    let done: string | undefined
    for (const event of events) {
      if (alertMatches(this.#spec, event)) {
        try {
          await fire(this.#ctx, this.armed, alertEventId(event), event)
        } catch (error) {
          return { done, error }
        }
      }
      done = String(event.seq)
    }
    return { done }
  }

  async #baseline(): Promise<void> {
    let after = 0
    for (;;) {
      const events = await this.#feed.eventsAfter(after, PAGE)
      if (events.length > 0) after = events.at(-1)!.seq
      if (events.length < PAGE) break
    }
    await this.#ctx.store.compareAndSetCursor(this.armed.key, undefined, String(after), this.#ctx.clock.now())
  }
}
