import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TrackingService } from '../../tracking/index.js'
import { Empty, Schemas as S } from './tracking-schemas.js'
import { datasetInputsFromWire, readDouble, readViewType, runInfoToWire, runToWire } from './tracking-wire.js'

type RunRef = { run_id?: string; run_uuid?: string }

/** `run_uuid` is MLflow's deprecated spelling, still sent by older clients (npm `mlflow`). */
function runIdOf(ref: RunRef): string | undefined {
  return ref.run_id || ref.run_uuid
}

const RUN_STATUS_BY_NUMBER: Record<string, string> = { '1': 'RUNNING', '2': 'SCHEDULED', '3': 'FINISHED', '4': 'FAILED', '5': 'KILLED' }

/** The caller's user name when auth is on, so runs record who made them. */
export type UserOf = (request: FastifyRequest) => string | undefined

/** MLflow's run endpoints: create, read, update, delete, log and search. */
export function registerRunRoutes(app: FastifyInstance, tracking: TrackingService, userOf: UserOf): void {
  const ok = { 200: Empty }

  app.post('/runs/create', { schema: { body: S.createRun.body, response: { 200: S.createRun.response } } }, async (request) => {
    const body = request.body as Static<typeof S.createRun.body>
    const run = await tracking.createRun({
      experimentId: body.experiment_id,
      userId: body.user_id || userOf(request),
      runName: body.run_name,
      startTime: body.start_time,
      tags: body.tags as Array<{ key: string; value: string }> | undefined,
    })
    return { run: runToWire(run) }
  })

  app.post('/runs/update', { schema: { body: S.updateRun.body, response: { 200: S.updateRun.response } } }, async (request) => {
    const body = request.body as Static<typeof S.updateRun.body>
    const status = body.status === undefined ? undefined : (RUN_STATUS_BY_NUMBER[String(body.status)] ?? String(body.status))
    const info = await tracking.updateRun({ runId: runIdOf(body), status, endTime: body.end_time, runName: body.run_name })
    return { run_info: runInfoToWire(info) }
  })

  app.post('/runs/delete', { schema: { body: S.runRef.body, response: ok } }, async (request) => {
    await tracking.deleteRun(runIdOf(request.body as RunRef))
    return {}
  })

  app.post('/runs/restore', { schema: { body: S.runRef.body, response: ok } }, async (request) => {
    await tracking.restoreRun(runIdOf(request.body as RunRef))
    return {}
  })

  app.get('/runs/get', { schema: { querystring: S.getRun.querystring, response: { 200: S.getRun.response } } }, async (request) => {
    return { run: runToWire(await tracking.getRun(runIdOf(request.query as RunRef))) }
  })

  app.post('/runs/log-metric', { schema: { body: S.logMetric.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.logMetric.body>
    await tracking.logMetric(runIdOf(body), {
      key: body.key,
      value: readDouble(body.value, 'value'),
      timestamp: body.timestamp,
      step: body.step ?? 0,
    })
    return {}
  })

  app.post('/runs/log-parameter', { schema: { body: S.logParam.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.logParam.body>
    await tracking.logParam(runIdOf(body), { key: body.key, value: body.value })
    return {}
  })

  app.post('/runs/set-tag', { schema: { body: S.setTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.setTag.body>
    await tracking.setTag(runIdOf(body), { key: body.key, value: body.value })
    return {}
  })

  app.post('/runs/delete-tag', { schema: { body: S.deleteTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.deleteTag.body>
    await tracking.deleteTag(runIdOf(body), body.key)
    return {}
  })

  app.post('/runs/log-batch', { schema: { body: S.logBatch.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.logBatch.body>
    await tracking.logBatch(runIdOf(body), {
      metrics: (body.metrics ?? []).map((m, i) => ({
        key: m.key,
        value: readDouble(m.value, `metrics[${i}].value`),
        timestamp: m.timestamp,
        step: m.step ?? 0,
      })),
      params: body.params ?? [],
      tags: body.tags ?? [],
    })
    return {}
  })

  app.post('/runs/log-inputs', { schema: { body: S.logInputs.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.logInputs.body>
    await tracking.logInputs(runIdOf(body), datasetInputsFromWire(body.datasets))
    return {}
  })

  app.post('/runs/search', { schema: { body: S.searchRuns.body, response: { 200: S.searchRuns.response } } }, async (request) => {
    const body = request.body as Static<typeof S.searchRuns.body>
    const page = await tracking.searchRuns({
      experimentIds: body.experiment_ids,
      filter: body.filter,
      viewType: readViewType(body.run_view_type),
      maxResults: body.max_results,
      orderBy: body.order_by,
      pageToken: body.page_token,
    })
    return { runs: page.items.length ? page.items.map(runToWire) : undefined, next_page_token: page.nextPageToken }
  })
}
