import type { Clock } from '../../shared/clock.js'
import type { TriggerSpec } from '../pipeline-spec.js'
import type { LaunchResult, PipelineLauncher } from '../pipeline-launcher.js'
import { resolveParams } from './trigger-expressions.js'
import type { TriggerStateStore } from './trigger-state-store.js'

/** One trigger of one pipeline, as the manager runs it. */
export interface ArmedTrigger {
  /** Where its state is stored (see triggerKeys). */
  readonly key: string
  readonly pipeline: string
  readonly version: number
  readonly spec: TriggerSpec
}

export type TriggerLog = (level: 'info' | 'warn', message: string) => void

/** What every poller shares. */
export interface TriggerContext {
  readonly store: TriggerStateStore
  readonly launcher: PipelineLauncher
  readonly clock: Clock
  readonly log: TriggerLog
}

/** A trigger that looks for its events when polled. */
export interface TriggerPoller {
  readonly armed: ArmedTrigger
  /** Looks for new events and launches for them; throws (to be retried) when it could not finish. */
  poll(): Promise<void>
  /** When it wants to be polled next, if sooner than the manager's interval (a cron tick). */
  wakeAt?(now: number): number | undefined
}

/**
 * Maps the event to params and asks the launcher to start a run. The launcher applies the
 * concurrency policy and drops an event id it has seen, so callers may fire an event again after
 * a crash or on another replica without starting a second run.
 */
export async function fire(ctx: TriggerContext, armed: ArmedTrigger, eventId: string | undefined, payload: unknown, strict = false): Promise<LaunchResult> {
  const params = resolveParams(armed.spec.params, payload, { strict, where: `pipeline ${armed.pipeline} ${armed.spec.kind} trigger` })
  const result = await ctx.launcher.launch({
    pipeline: armed.pipeline,
    params,
    trigger: { kind: armed.spec.kind, ...(eventId === undefined ? {} : { eventId }), payload },
    ...(armed.spec.concurrency === undefined ? {} : { concurrency: armed.spec.concurrency }),
  })
  const what = `${armed.spec.kind} trigger of ${armed.pipeline}${eventId === undefined ? '' : ` (${eventId})`}`
  if (result.started) ctx.log('info', `${what} started run ${result.runId}${result.replaced ? `, replacing ${result.replaced}` : ''}`)
  else ctx.log('info', `${what} started no run: ${result.reason}${result.activeRunId ? ` (run ${result.activeRunId} is active)` : ''}`)
  return result
}

/**
 * Moves a cursor forward to `next` unless it is already there or past it (by `order`), retrying
 * when another replica moved it in between. Never moves it backwards.
 */
export async function advanceCursor(store: TriggerStateStore, key: string, next: string, order: (a: string, b: string) => number, now: number): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.getCursor(key)
    if (current !== undefined && order(current, next) >= 0) return
    if (await store.compareAndSetCursor(key, current, next, now)) return
  }
}

export const byNumber = (a: string, b: string) => Number(a) - Number(b)
