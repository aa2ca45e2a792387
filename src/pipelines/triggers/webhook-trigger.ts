import { invalidParameter } from '../../shared/errors.js'

const MAX_EVENT_ID = 256

export interface WebhookEvent {
  /** Undefined when the sender gave none: every POST is then a new event. */
  readonly eventId?: string
  readonly payload: Readonly<Record<string, unknown>>
  /** Set when the body asks for no run (a Plinth monitor reporting that its alert resolved). */
  readonly ignored?: 'alert_resolved'
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The body a Plinth monitor POSTs to its webhooks (monitoring/monitors/notification-payloads.ts). */
function isMonitorPayload(body: Json): boolean {
  return body.version === 1 && (body.state === 'firing' || body.state === 'resolved') && isObject(body.alert) && isObject(body.monitor) && isObject(body.condition)
}

/**
 * A monitor's webhook also gets the alert trigger's flat field names, so one mapping
 * (`${{ trigger.monitorName }}`) serves an `alert` trigger and a monitor pointed at the webhook.
 */
function monitorAliases(body: Json): Json {
  const alert = body.alert as Json
  const condition = body.condition as Json
  return {
    alertId: alert.id,
    monitorId: (body.monitor as Json).id,
    monitorName: (body.monitor as Json).name,
    severity: alert.severity,
    condition: condition.key,
    conditionType: condition.type,
    startedAt: body.started_at,
    kind: body.state === 'firing' ? 'fired' : 'resolved',
  }
}

function explicitId(body: Json, header: string | undefined): string | undefined {
  const id = header ?? body.event_id
  if (id === undefined) return undefined
  if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_EVENT_ID) {
    throw invalidParameter(`${header === undefined ? 'event_id' : 'X-Plinth-Event-Id'}: must be a non-empty string of at most ${MAX_EVENT_ID} characters; it identifies the event so a retried POST starts no second run.`)
  }
  return id
}

/**
 * The event a webhook POST carries. Its id is the `X-Plinth-Event-Id` header, else the body's
 * `event_id`, else for a monitor's payload the alert and the start of its firing (a redelivered
 * notification is the same incident).
 */
export function webhookEvent(body: Json, headerEventId?: string): WebhookEvent {
  const id = explicitId(body, headerEventId)
  if (!isMonitorPayload(body)) return { eventId: id === undefined ? undefined : `webhook:${id}`, payload: body }
  const aliases = monitorAliases(body)
  const payload = { ...aliases, ...body }
  const eventId = `webhook:${id ?? `alert:${String(aliases.alertId)}:${String(body.started_at)}`}`
  return body.state === 'resolved' ? { eventId, payload, ignored: 'alert_resolved' } : { eventId, payload }
}
