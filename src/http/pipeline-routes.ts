import type { FastifyInstance } from 'fastify'
import { parsePipelineOrThrow } from '../pipelines/parse-pipeline.js'
import type { LaunchResult } from '../pipelines/pipeline-launcher.js'
import type { ConcurrencyPolicy } from '../pipelines/pipeline-spec.js'
import type { PipelineService } from '../pipelines/pipeline-service.js'
import { AppError } from '../shared/errors.js'
import { PipelineSchemas as S, pipelineToWire, runToWire, stepsToWire } from './pipeline-schemas.js'

type Name = { name: string }
type Id = { id: string }

function launchToWire(result: LaunchResult) {
  return result.started
    ? { started: true, run_id: result.runId, ...(result.replaced ? { replaced: result.replaced } : {}) }
    : { started: false, reason: result.reason, ...(result.activeRunId ? { active_run_id: result.activeRunId } : {}) }
}

/**
 * Pipelines (`/pipelines`) and their runs (`/pipeline-runs`). A pipeline is applied as YAML (any
 * text body) or JSON `{source}`; a bad file is 400 with every problem and its line and column.
 */
export function registerPipelineRoutes(app: FastifyInstance, pipelines: PipelineService, bodyLimit: number): void {
  const config = { errorStatus: { INVALID_STATE: 409, RESOURCE_ALREADY_EXISTS: 409 } }
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? {} : JSON.parse(body as string))
    } catch {
      done(new AppError('BAD_REQUEST', 'The body is not valid JSON.'), undefined)
    }
  })
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body))

  app.post('/pipelines', { config, schema: S.apply }, async (request) => {
    const source = typeof request.body === 'string' ? request.body : (request.body as { source?: unknown } | null)?.source
    if (typeof source !== 'string' || source.trim() === '') throw new AppError('INVALID_PARAMETER_VALUE', 'Send the pipeline YAML as the body (Content-Type: application/yaml) or as JSON {"source": "..."}.')
    const { pipeline, spec } = await pipelines.apply(source)
    return { pipeline: pipelineToWire(pipeline, spec) }
  })

  app.get('/pipelines', { schema: S.list }, async () => ({ pipelines: (await pipelines.list()).map((p) => pipelineToWire(p)) }))

  app.get('/pipelines/:name', { schema: S.get }, async (request) => {
    const { pipeline, spec } = await pipelines.get((request.params as Name).name)
    return { pipeline: pipelineToWire(pipeline, spec) }
  })

  app.post('/pipelines/:name/runs', { config, schema: S.launch }, async (request) => {
    const body = (request.body ?? {}) as { params?: Record<string, unknown>; concurrency?: ConcurrencyPolicy; event_id?: string }
    const result = await pipelines.launch({
      pipeline: (request.params as Name).name,
      params: (body.params ?? {}) as Record<string, string>,
      trigger: { kind: 'api', ...(body.event_id ? { eventId: body.event_id } : {}) },
      ...(body.concurrency ? { concurrency: body.concurrency } : {}),
    })
    return launchToWire(result)
  })

  app.get('/pipelines/:name/runs', { schema: S.runs }, async (request) => {
    const q = request.query as { max_results?: number }
    return { runs: (await pipelines.listRuns((request.params as Name).name, q.max_results)).map(runToWire) }
  })

  app.get('/pipeline-runs/:id', { schema: S.run }, async (request) => {
    const { run, attempts } = await pipelines.getRun((request.params as Id).id)
    return { run: runToWire(run), steps: stepsToWire(parsePipelineOrThrow(run.source).steps.map((s) => s.name), attempts) }
  })

  app.post('/pipeline-runs/:id/cancel', { config, schema: S.cancel }, async (request) => ({ run: runToWire(await pipelines.cancel((request.params as Id).id)) }))

  // A bodyless resume (the older form) means "from the failed step"; the body is optional.
  app.post('/pipeline-runs/:id/resume', { config, schema: S.resume, preValidation: async (request) => void (request.body ??= {}) }, async (request) => {
    const fromStep = (request.body as { from_step?: string }).from_step
    return launchToWire(await pipelines.resume((request.params as Id).id, { kind: 'api' }, fromStep === undefined ? {} : { fromStep }))
  })

  app.get('/pipeline-runs/:id/steps/:step/log', { config, schema: S.log }, async (request, reply) => {
    const p = request.params as { id: string; step: string }
    const { body } = await pipelines.stepLog(p.id, p.step, (request.query as { attempt?: number }).attempt)
    return reply.type('text/plain; charset=utf-8').send(body)
  })
}
