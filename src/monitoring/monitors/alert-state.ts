import type { Alert, AlertEventKind, ConditionResult, MonitorCondition } from './monitor-entities.js'

/** What an alert belongs to, for a new alert row and its events. */
export interface AlertContext {
  readonly monitorId: string
  readonly monitorName: string
  readonly deployment?: string
  readonly model?: string
}

export interface AlertTransition {
  /** The alert's new row, or undefined when nothing changed (no row, or still quiet). */
  readonly alert?: Alert
  /** Set when the alert fired or resolved in this run. */
  readonly event?: AlertEventKind
}

/**
 * The alert state machine, one condition per call. A condition that holds for `for` consecutive
 * runs fires (pending until then), so one noisy window does not page anyone; a firing alert
 * resolves at the first run where the condition no longer holds. A pending alert whose condition
 * stops holding goes back to `resolved` without an event, its streak reset, since it never fired.
 */
export function nextAlertState(previous: Alert | undefined, condition: MonitorCondition, result: ConditionResult, context: AlertContext, now: number, newId: () => string): AlertTransition {
  if (!result.holds) {
    if (!previous || previous.state === 'resolved') return {}
    const fired = previous.state === 'firing'
    return {
      alert: { ...previous, state: 'resolved', streak: 0, since: now, ...(fired ? { resolvedAt: now } : {}), lastValue: result.value, updatedAt: now },
      ...(fired ? { event: 'resolved' as const } : {}),
    }
  }
  const streak = (previous?.streak ?? 0) + 1
  const base: Alert = previous ?? {
    id: newId(),
    ...context,
    condition: result.key,
    conditionType: condition.type,
    severity: condition.severity,
    state: 'pending',
    streak: 0,
    since: now,
    lastValue: null,
    updatedAt: now,
  }
  const updated = { ...base, severity: condition.severity, streak, lastValue: result.value, updatedAt: now }
  if (base.state === 'firing') return { alert: updated }
  if (streak >= condition.for) return { alert: { ...updated, state: 'firing', since: now, startedAt: now, resolvedAt: undefined }, event: 'fired' }
  return { alert: { ...updated, state: 'pending', since: base.state === 'pending' && previous ? base.since : now } }
}
