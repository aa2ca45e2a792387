import type { FastifyInstance } from 'fastify'
import type { TriggerManager } from '../pipelines/triggers/trigger-manager.js'
import { PipelineTriggerSchemas as S, webhookResultToWire } from './pipeline-trigger-schemas.js'

/**
 * `POST /pipelines/{name}/webhook` (under /api/plinth/v1): starts a run of a pipeline that has a
 * webhook trigger, params mapped from the JSON body. Answers 202 whether or not a run started
 * (`started: false` with a reason when the concurrency policy or de-duplication held it back);
 * 404 when the pipeline has no webhook trigger; 400 naming the params whose fields the body lacks.
 * A retried POST with the same `X-Plinth-Event-Id` (or body `event_id`) starts no second run.
 */
export function registerPipelineTriggerRoutes(app: FastifyInstance, triggers: Pick<TriggerManager, 'webhook'>): void {
  app.post('/pipelines/:name/webhook', { schema: S.webhook }, async (request, reply) => {
    const { name } = request.params as { name: string }
    const eventId = (request.headers as { 'x-plinth-event-id'?: string })['x-plinth-event-id']
    const result = await triggers.webhook(name, request.body as Record<string, unknown>, eventId)
    return reply.code(202).send(webhookResultToWire(result))
  })
}
