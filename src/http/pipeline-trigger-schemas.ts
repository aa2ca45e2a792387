import { Type as T } from '@sinclair/typebox'
import type { WebhookResult } from '../pipelines/triggers/trigger-manager.js'

/** Wire shapes of `POST /api/plinth/v1/pipelines/{name}/webhook`: snake_case, as the rest of the API. */
const WebhookAccepted = T.Object({
  started: T.Boolean(),
  run_id: T.Optional(T.String()),
  replaced_run_id: T.Optional(T.String()),
  /** Why no run started: `forbidden` (a run is active and the policy is forbid), `duplicate` (this event id already started one), `alert_resolved`. */
  reason: T.Optional(T.String()),
  active_run_id: T.Optional(T.String()),
})

export const PipelineTriggerSchemas = {
  webhook: {
    params: T.Object({ name: T.String({ minLength: 1 }) }),
    headers: T.Object({ 'x-plinth-event-id': T.Optional(T.String()) }),
    // Any JSON object: the pipeline's mapping says which fields it reads.
    body: T.Object({}, { additionalProperties: true }),
    response: { 202: WebhookAccepted },
  },
}

export function webhookResultToWire(result: WebhookResult): Record<string, unknown> {
  if (result.started) return { started: true, run_id: result.runId, ...(result.replaced ? { replaced_run_id: result.replaced } : {}) }
  return { started: false, reason: result.reason, ...('activeRunId' in result && result.activeRunId ? { active_run_id: result.activeRunId } : {}) }
}
