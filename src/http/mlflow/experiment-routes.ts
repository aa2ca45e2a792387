import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { TrackingService } from '../../tracking/index.js'
import { Empty, Schemas as S } from './tracking-schemas.js'
import { experimentToWire, readViewType } from './tracking-wire.js'

type SearchInput = Static<typeof S.searchExperiments.input>

/** MLflow's experiment endpoints (service.proto, "Experiments"). */
export function registerExperimentRoutes(app: FastifyInstance, tracking: TrackingService): void {
  const ok = { 200: Empty }

  app.post('/experiments/create', { schema: { body: S.createExperiment.body, response: { 200: S.createExperiment.response } } }, async (request) => {
    const body = request.body as Static<typeof S.createExperiment.body>
    const experimentId = await tracking.createExperiment({
      name: body.name,
      artifactLocation: body.artifact_location,
      tags: body.tags as Array<{ key: string; value: string }> | undefined,
    })
    return { experiment_id: experimentId }
  })

  const search = async (input: SearchInput) => {
    const page = await tracking.searchExperiments({
      maxResults: input.max_results,
      pageToken: input.page_token,
      filter: input.filter,
      orderBy: input.order_by,
      viewType: readViewType(input.view_type),
    })
    return { experiments: page.items.length ? page.items.map(experimentToWire) : undefined, next_page_token: page.nextPageToken }
  }
  const searchSchema = { response: { 200: S.searchExperiments.response } }
  app.post('/experiments/search', { schema: { body: S.searchExperiments.input, ...searchSchema } }, (request) => search(request.body as SearchInput))
  app.get('/experiments/search', { schema: { querystring: S.searchExperiments.input, ...searchSchema } }, (request) => search(request.query as SearchInput))
  // Removed in MLflow 2.0 but still called by the npm `mlflow` client's Experiments.list().
  app.get('/experiments/list', { schema: { querystring: S.listExperiments.querystring, ...searchSchema } }, (request) => search(request.query as SearchInput))

  app.get('/experiments/get', { schema: { querystring: S.getExperiment.querystring, response: { 200: S.getExperiment.response } } }, async (request) => {
    const query = request.query as Static<typeof S.getExperiment.querystring>
    return { experiment: experimentToWire(await tracking.getExperiment(query.experiment_id)) }
  })

  app.get('/experiments/get-by-name', { schema: { querystring: S.getExperimentByName.querystring, response: { 200: S.getExperimentByName.response } } }, async (request) => {
    const query = request.query as Static<typeof S.getExperimentByName.querystring>
    return { experiment: experimentToWire(await tracking.getExperimentByName(query.experiment_name)) }
  })

  app.post('/experiments/delete', { schema: { body: S.experimentId.body, response: ok } }, async (request) => {
    await tracking.deleteExperiment((request.body as Static<typeof S.experimentId.body>).experiment_id)
    return {}
  })

  app.post('/experiments/restore', { schema: { body: S.experimentId.body, response: ok } }, async (request) => {
    await tracking.restoreExperiment((request.body as Static<typeof S.experimentId.body>).experiment_id)
    return {}
  })

  app.post('/experiments/update', { schema: { body: S.updateExperiment.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.updateExperiment.body>
    await tracking.renameExperiment(body.experiment_id, body.new_name)
    return {}
  })

  app.post('/experiments/set-experiment-tag', { schema: { body: S.setExperimentTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.setExperimentTag.body>
    await tracking.setExperimentTag(body.experiment_id, { key: body.key, value: body.value })
    return {}
  })

  app.post('/experiments/delete-experiment-tag', { schema: { body: S.deleteExperimentTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.deleteExperimentTag.body>
    await tracking.deleteExperimentTag(body.experiment_id, body.key)
    return {}
  })
}
