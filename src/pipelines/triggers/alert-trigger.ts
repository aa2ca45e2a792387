import type { AlertEvent, ConditionType } from '../../monitoring/monitors/monitor-entities.js'
import type { TriggerSpec } from '../pipeline-spec.js'

type AlertTrigger = Extract<TriggerSpec, { kind: 'alert' }>

/** What `${{ trigger.… }}` can read from an alert event (the event's own fields). */
export const ALERT_FIELDS = ['seq', 'alertId', 'monitorId', 'monitorName', 'deployment', 'model', 'condition', 'conditionType', 'severity', 'kind', 'value', 'startedAt', 'time'] as const

const CONDITION_TYPES: readonly ConditionType[] = ['drift_share', 'feature_drift', 'performance_drop', 'latency_p99', 'error_rate', 'no_traffic']

/** Why an alert trigger's filters cannot match anything, or undefined. */
export function alertProblem(spec: AlertTrigger): string | undefined {
  const unknown = (spec.conditionTypes ?? []).filter((t) => !CONDITION_TYPES.includes(t as ConditionType))
  if (unknown.length > 0) return `conditionTypes: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not condition types' : 'is not a condition type'}; use ${CONDITION_TYPES.join(', ')}`
  return undefined
}

/**
 * Only an alert starting to fire starts a run: a resolved alert needs no retraining, and a
 * firing alert is not re-announced while it keeps firing, so one incident is one event.
 */
export function alertMatches(spec: AlertTrigger, event: AlertEvent): boolean {
  if (event.kind !== 'fired') return false
  if (spec.monitor !== undefined && spec.monitor !== event.monitorName && spec.monitor !== event.monitorId) return false
  if (spec.deployment !== undefined && spec.deployment !== event.deployment) return false
  if (spec.severity !== undefined && spec.severity !== event.severity) return false
  if (spec.conditionTypes !== undefined && spec.conditionTypes.length > 0 && !spec.conditionTypes.includes(event.conditionType)) return false
  return true
}

export function alertEventId(event: AlertEvent): string {
  return `alert:${event.seq}`
}
