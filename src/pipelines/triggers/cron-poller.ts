import type { Cron } from 'croner'
import type { TriggerSpec } from '../pipeline-spec.js'
import { cronEvent, cronOf, latestTick, nextTick } from './cron-trigger.js'
import { advanceCursor, byNumber, fire, type ArmedTrigger, type TriggerContext, type TriggerPoller } from './trigger-context.js'

/**
 * Fires the latest due tick of a schedule. Ticks that passed while no replica ran are skipped,
 * as most schedulers do by default (a backlog of retraining runs after an outage helps nobody);
 * with `catchup: true` the latest one missed since the stored last tick fires once at start.
 * Ticks missed while this process was busy are coalesced into the latest.
 */
export class CronPoller implements TriggerPoller {
  readonly armed: ArmedTrigger
  readonly #ctx: TriggerContext
  readonly #spec: Extract<TriggerSpec, { kind: 'cron' }>
  readonly #cron: Cron
  readonly #armedAt: number
  /** The last tick fired or skipped, in ms; undefined until the first poll reads the cursor. */
  #last: number | undefined

  constructor(ctx: TriggerContext, armed: ArmedTrigger) {
    if (armed.spec.kind !== 'cron') throw new TypeError('CronPoller needs a cron trigger')
    this.armed = armed
    this.#ctx = ctx
    this.#spec = armed.spec
    this.#cron = cronOf(armed.spec)
    this.#armedAt = ctx.clock.now()
  }

  wakeAt(now: number): number | undefined {
    return nextTick(this.#cron, now)
  }

  async poll(): Promise<void> {
    const now = this.#ctx.clock.now()
    if (this.#last === undefined) this.#last = await this.#startingPoint()
    const tick = latestTick(this.#cron, now)
    if (tick === undefined || tick <= this.#last) return
    const { eventId, payload } = cronEvent(this.#spec, tick)
    await fire(this.#ctx, this.armed, eventId, payload)
    this.#last = tick
    await advanceCursor(this.#ctx.store, this.armed.key, String(tick), byNumber, now)
  }

  async #startingPoint(): Promise<number> {
    if (!this.#spec.catchup) return this.#armedAt
    const stored = await this.#ctx.store.getCursor(this.armed.key)
    // Never fired before: there is nothing this trigger has missed yet.
    return stored === undefined ? this.#armedAt : Number(stored)
  }
}
