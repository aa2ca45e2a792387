import { Type as T } from '@sinclair/typebox'
import type { Alert, AlertEvent, FeatureDrift, Monitor, MonitorRun } from '../monitoring/monitors/monitor-entities.js'
import type { DeploymentMonitoring, PerformanceOverTime } from '../monitoring/monitors/monitoring-dashboard.js'
import { monitorSpecToWire } from '../monitoring/monitors/monitor-spec.js'
import { windowToWire } from './performance-schemas.js'

/**
 * Wire shapes of `/api/plinth/v1/monitors` and `/alerts`: snake_case, times in milliseconds.
 * A monitor's spec is checked by the service (not by JSON Schema), so each refusal names the field
 * in the spec's own terms (`conditions[1].threshold`) and the same check serves the CLI's YAML.
 */
const Str = T.String()
const Any = T.Any()
const AnyObject = T.Object({}, { additionalProperties: true })
const Time = T.Integer({ minimum: 0 })
const Limit = T.Integer({ minimum: 1, maximum: 1000 })
const IdParams = T.Object({ id: Str })

const MonitorWire = T.Object({ id: Str, next_run_at: T.Integer(), created_at: T.Integer(), updated_at: T.Integer() }, { additionalProperties: true })
const AlertWire = T.Object(
  {
    id: Str,
    monitor_id: Str,
    monitor: Str,
    deployment: T.Union([Str, T.Null()]),
    model: T.Union([Str, T.Null()]),
    condition: Str,
    condition_type: Str,
    severity: Str,
    state: Str,
    streak: T.Integer(),
    since: T.Integer(),
    started_at: T.Union([T.Integer(), T.Null()]),
    resolved_at: T.Union([T.Integer(), T.Null()]),
    last_value: T.Union([T.Number(), T.Null()]),
    updated_at: T.Integer(),
  },
)
const EventWire = T.Object({
  seq: T.Integer(),
  kind: Str,
  alert_id: Str,
  monitor_id: Str,
  monitor: Str,
  deployment: T.Union([Str, T.Null()]),
  model: T.Union([Str, T.Null()]),
  condition: Str,
  condition_type: Str,
  severity: Str,
  value: T.Union([T.Number(), T.Null()]),
  started_at: T.Integer(),
  time: T.Integer(),
})
const RunWire = T.Object({ id: Str, monitor_id: Str, time: T.Integer(), outcome: Str, error: T.Optional(Str), results: T.Optional(Any) })

export const MonitorSchemas = {
  create: { body: T.Unknown(), response: { 200: T.Object({ monitor: MonitorWire }) } },
  list: { querystring: T.Object({ deployment: T.Optional(Str) }, { additionalProperties: false }), response: { 200: T.Object({ monitors: T.Array(MonitorWire) }) } },
  get: { params: IdParams, response: { 200: T.Object({ monitor: MonitorWire, alerts: T.Array(AlertWire), runs: T.Array(RunWire) }) } },
  update: { params: IdParams, body: T.Unknown(), response: { 200: T.Object({ monitor: MonitorWire }) } },
  remove: { params: IdParams, response: { 200: T.Object({}) } },
  run: { params: IdParams, response: { 200: T.Object({ run: RunWire }) } },
  runs: {
    params: IdParams,
    querystring: T.Object({ start_time: T.Optional(Time), end_time: T.Optional(Time), max_results: T.Optional(Limit) }, { additionalProperties: false }),
    response: { 200: T.Object({ runs: T.Array(RunWire) }) },
  },
  alerts: {
    querystring: T.Object({ state: T.Optional(Str), monitor: T.Optional(Str), deployment: T.Optional(Str), max_results: T.Optional(Limit) }, { additionalProperties: false }),
    response: { 200: T.Object({ alerts: T.Array(AlertWire) }) },
  },
  alert: { params: IdParams, response: { 200: T.Object({ alert: AlertWire }) } },
  events: {
    querystring: T.Object({ after: T.Optional(T.Integer({ minimum: 0 })), max_results: T.Optional(Limit) }, { additionalProperties: false }),
    response: { 200: T.Object({ events: T.Array(EventWire), next_after: T.Integer() }) },
  },
  dashboard: {
    params: T.Object({ name: Str }),
    querystring: T.Object({ start_time: T.Optional(Time), end_time: T.Optional(Time) }, { additionalProperties: false }),
    response: { 200: AnyObject },
  },
} as const

export function monitorToWire(m: Monitor) {
  return { id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt, created_at: m.createdAt, updated_at: m.updatedAt }
}

export function alertToWire(a: Alert) {
  return {
    id: a.id,
    monitor_id: a.monitorId,
    monitor: a.monitorName,
    deployment: a.deployment ?? null,
    model: a.model ?? null,
    condition: a.condition,
    condition_type: a.conditionType,
    severity: a.severity,
    state: a.state,
    streak: a.streak,
    since: a.since,
    started_at: a.startedAt ?? null,
    resolved_at: a.resolvedAt ?? null,
    last_value: a.lastValue,
    updated_at: a.updatedAt,
  }
}

export function eventToWire(e: AlertEvent) {
  return {
    seq: e.seq,
    kind: e.kind,
    alert_id: e.alertId,
    monitor_id: e.monitorId,
    monitor: e.monitorName,
    deployment: e.deployment ?? null,
    model: e.model ?? null,
    condition: e.condition,
    condition_type: e.conditionType,
    severity: e.severity,
    value: e.value,
    started_at: e.startedAt,
    time: e.time,
  }
}

function performanceOverTimeToWire({ windowMs, report, unavailable }: PerformanceOverTime) {
  if (!report) return { window_ms: windowMs, windows: [], unavailable }
  return { window_ms: windowMs, calibrated: report.calibrated, warnings: report.warnings, windows: report.windows.map(windowToWire) }
}

function featureToWire(f: FeatureDrift) {
  return { feature: f.feature, type: f.type, method: f.method, score: f.score, threshold: f.threshold, drift: f.drift, dropped_reference: f.droppedReference, dropped_current: f.droppedCurrent }
}

export function runToWire(run: MonitorRun) {
  const r = run.results
  const results = r && {
    window_start: r.windowStart,
    window_end: r.windowEnd,
    deployment: r.deployment ?? null,
    model: r.model ?? null,
    requests: r.requests,
    rows: r.rows,
    errors: r.errors,
    error_rate: r.errorRate,
    latency_p50_ms: r.latencyP50Ms,
    latency_p99_ms: r.latencyP99Ms,
    drift: r.drift && { features: r.drift.features.map(featureToWire), drifted: r.drift.drifted, share: r.drift.share, dataset_drift: r.drift.datasetDrift, missing_columns: r.drift.missingColumns },
    drift_note: r.driftNote ?? null,
    performance: r.performance,
    conditions: r.conditions.map((c) => ({ key: c.key, type: c.type, value: c.value, holds: c.holds, note: c.note ?? null })),
  }
  return { id: run.id, monitor_id: run.monitorId, time: run.time, outcome: run.outcome, ...(run.error ? { error: run.error } : {}), ...(results ? { results } : {}) }
}

export function dashboardToWire(d: DeploymentMonitoring) {
  const latest = d.latestDrift
  return {
    deployment: d.deployment,
    start_time: d.start,
    end_time: d.end,
    monitors: d.monitors.map(monitorToWire),
    drift_over_time: d.driftOverTime,
    latest_drift: latest && { time: latest.time, monitor: latest.monitor, features: latest.features.map(featureToWire), drifted: latest.drifted, share: latest.share, dataset_drift: latest.datasetDrift, missing_columns: latest.missingColumns },
    runs: d.runs.map((p) => ({ monitor: p.monitor, time: p.time, outcome: p.outcome, requests: p.requests ?? null, error_rate: p.errorRate ?? null, latency_p50_ms: p.latencyP50Ms ?? null, latency_p99_ms: p.latencyP99Ms ?? null, drift_share: p.driftShare ?? null, dataset_drift: p.datasetDrift ?? null, error: p.error ?? null })),
    alerts: { firing: d.firingAlerts.map(alertToWire), history: d.alertHistory.map(eventToWire) },
    performance_over_time: d.performanceOverTime && performanceOverTimeToWire(d.performanceOverTime),
  }
}
