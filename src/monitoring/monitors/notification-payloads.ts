/**
 * The bodies Plinth POSTs: its own webhook JSON (documented in docs/monitoring-alerts.md) and
 * Alertmanager's v2 `postableAlerts`.
 */
import type { Alert, MonitorSpec } from './monitor-entities.js'

export interface WebhookPayload {
  readonly version: 1
  readonly state: 'firing' | 'resolved'
  readonly alert: { readonly id: string; readonly state: string; readonly severity: string; readonly url: string }
  readonly monitor: { readonly id: string; readonly name: string }
  readonly deployment: string | null
  readonly model: string | null
  readonly condition: { readonly key: string; readonly type: string }
  readonly value: number | null
  readonly started_at: string
  readonly resolved_at: string | null
  readonly sent_at: string
}

const iso = (ms: number) => new Date(ms).toISOString()
const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null)

export function alertUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/plinth/v1/alerts/${encodeURIComponent(alertId)}`
}

export function webhookPayload(alert: Alert, publicUrl: string, now: number): WebhookPayload {
  const firing = alert.state === 'firing'
  return {
    version: 1,
    state: firing ? 'firing' : 'resolved',
    alert: { id: alert.id, state: alert.state, severity: alert.severity, url: alertUrl(publicUrl, alert.id) },
    monitor: { id: alert.monitorId, name: alert.monitorName },
    deployment: alert.deployment ?? null,
    model: alert.model ?? null,
    condition: { key: alert.condition, type: alert.conditionType },
    value: finite(alert.lastValue),
    started_at: iso(alert.startedAt ?? alert.since),
    resolved_at: firing || alert.resolvedAt === undefined ? null : iso(alert.resolvedAt),
    sent_at: iso(now),
  }
}

/** `drift_share` → `PlinthMonitorDriftShare`: Alertmanager groups and routes by alertname. */
export function alertName(conditionType: string): string {
  return `PlinthMonitor${conditionType.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`
}

/**
 * One alert for Alertmanager's `POST /api/v2/alerts`. While firing, `endsAt` lies `holdMs` ahead
 * and the alert is re-sent every run, as Prometheus does (it uses 4 × the evaluation interval):
 * if Plinth stops sending, Alertmanager resolves the alert by itself rather than keep it forever.
 * On resolve, `endsAt` is the resolution time.
 */
export function alertmanagerPayload(alert: Alert, spec: MonitorSpec, publicUrl: string, now: number, holdMs: number): unknown[] {
  const url = alertUrl(publicUrl, alert.id)
  const value = finite(alert.lastValue)
  const where = alert.deployment ? `deployment ${alert.deployment}` : `model ${alert.model ?? ''}`
  return [
    {
      labels: {
        alertname: alertName(alert.conditionType),
        monitor: alert.monitorName,
        deployment: alert.deployment ?? '',
        model: alert.model ?? '',
        condition: alert.condition,
        severity: alert.severity,
      },
      annotations: {
        summary: `${alert.condition} on ${where} (monitor ${spec.name})`,
        description: `Monitor ${spec.name}: condition ${alert.condition} ${alert.state === 'firing' ? 'holds' : 'no longer holds'}; value ${value ?? 'n/a'}.`,
        value: String(value ?? ''),
        url,
      },
      startsAt: iso(alert.startedAt ?? alert.since),
      endsAt: alert.state === 'firing' ? iso(now + holdMs) : iso(alert.resolvedAt ?? now),
      generatorURL: url,
    },
  ]
}
