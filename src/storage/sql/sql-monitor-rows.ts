import type { Selectable } from 'kysely'
import type {
  Alert,
  AlertEvent,
  AlertEventKind,
  AlertState,
  ConditionType,
  Delivery,
  DeliveryStatus,
  DeliveryTarget,
  Monitor,
  MonitorRun,
  MonitorRunOutcome,
  MonitorRunResults,
  MonitorSpec,
} from '../../monitoring/monitors/monitor-entities.js'
import type { AlertDeliveryTable, AlertEventTable, AlertTable, MonitorRunTable, MonitorTable } from './monitor-schema.js'

/** Row ↔ entity mappings of the monitor store; numbers come back as strings from pg's bigint. */

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value)
const optNumber = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value))
/** SQL has no NaN or infinity that both dialects keep; a non-finite value is stored as null. */
export const finiteOrNull = (value: number | null | undefined): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value

export function targetColumns(spec: MonitorSpec): { deployment: string | null; model: string | null } {
  return 'deployment' in spec.target ? { deployment: spec.target.deployment, model: null } : { deployment: null, model: spec.target.model }
}

export function toMonitor(row: Selectable<MonitorTable>): Monitor {
  return {
    id: row.id,
    spec: JSON.parse(row.spec) as MonitorSpec,
    nextRunAt: Number(row.next_run_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

export function toRun(row: Selectable<MonitorRunTable>): MonitorRun {
  const run: MonitorRun = { id: row.id, monitorId: row.monitor_id, time: Number(row.time), outcome: row.outcome as MonitorRunOutcome }
  return {
    ...run,
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.results === null ? {} : { results: JSON.parse(row.results) as MonitorRunResults }),
  }
}

export function toAlert(row: Selectable<AlertTable>): Alert {
  return {
    id: row.id,
    monitorId: row.monitor_id,
    monitorName: row.monitor_name,
    deployment: opt(row.deployment),
    model: opt(row.model),
    condition: row.condition_key,
    conditionType: row.condition_type as ConditionType,
    severity: row.severity,
    state: row.state as AlertState,
    streak: Number(row.streak),
    since: Number(row.since),
    startedAt: optNumber(row.started_at),
    resolvedAt: optNumber(row.resolved_at),
    lastValue: row.last_value === null ? null : Number(row.last_value),
    updatedAt: Number(row.updated_at),
  }
}

export function alertRow(alert: Alert): Selectable<AlertTable> {
  return {
    id: alert.id,
    monitor_id: alert.monitorId,
    monitor_name: alert.monitorName,
    deployment: alert.deployment ?? null,
    model: alert.model ?? null,
    condition_key: alert.condition,
    condition_type: alert.conditionType,
    severity: alert.severity,
    state: alert.state,
    streak: alert.streak,
    since: alert.since,
    started_at: alert.startedAt ?? null,
    resolved_at: alert.resolvedAt ?? null,
    last_value: finiteOrNull(alert.lastValue),
    updated_at: alert.updatedAt,
  }
}

export function toEvent(row: Selectable<AlertEventTable>): AlertEvent {
  return {
    seq: Number(row.seq),
    alertId: row.alert_id,
    monitorId: row.monitor_id,
    monitorName: row.monitor_name,
    deployment: opt(row.deployment),
    model: opt(row.model),
    condition: row.condition_key,
    conditionType: row.condition_type as ConditionType,
    severity: row.severity,
    kind: row.kind as AlertEventKind,
    value: row.value === null ? null : Number(row.value),
    startedAt: Number(row.started_at),
    time: Number(row.time),
  }
}

export function eventRow(seq: number, event: Omit<AlertEvent, 'seq'>): Selectable<AlertEventTable> {
  return {
    seq,
    alert_id: event.alertId,
    monitor_id: event.monitorId,
    monitor_name: event.monitorName,
    deployment: event.deployment ?? null,
    model: event.model ?? null,
    condition_key: event.condition,
    condition_type: event.conditionType,
    severity: event.severity,
    kind: event.kind,
    value: finiteOrNull(event.value),
    started_at: event.startedAt,
    time: event.time,
  }
}

export function toDelivery(row: Selectable<AlertDeliveryTable>): Delivery {
  return {
    id: row.id,
    monitorId: row.monitor_id,
    alertId: row.alert_id,
    target: JSON.parse(row.target) as DeliveryTarget,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}
