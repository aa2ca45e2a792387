import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RegistryService } from '../../registry/index.js'
import { Empty, RegistrySchemas as S } from './registry-schemas.js'
import { modelVersionToWire, modelVersionsToWire, registeredModelToWire } from './registry-wire.js'
import type { UserOf } from './run-routes.js'

type LatestInput = Static<typeof S.latestVersions.input>
type SearchInput = Static<typeof S.searchModels.query>

/** MLflow's registered-model endpoints, aliases included (model_registry.proto). */
export function registerRegisteredModelRoutes(app: FastifyInstance, registry: RegistryService, userOf: UserOf): void {
  const ok = { 200: Empty }
  const user = (request: Parameters<UserOf>[0]) => userOf(request) ?? 'unknown'

  app.post('/registered-models/create', { schema: { body: S.createModel.body, response: { 200: S.createModel.response } } }, async (request) => {
    const body = request.body as Static<typeof S.createModel.body>
    const model = await registry.createRegisteredModel({ name: body.name, description: body.description, tags: body.tags })
    return { registered_model: registeredModelToWire(model) }
  })

  app.post('/registered-models/rename', { schema: { body: S.renameModel.body, response: { 200: S.renameModel.response } } }, async (request) => {
    const body = request.body as Static<typeof S.renameModel.body>
    return { registered_model: registeredModelToWire(await registry.renameRegisteredModel(body.name, body.new_name)) }
  })

  app.patch('/registered-models/update', { schema: { body: S.updateModel.body, response: { 200: S.updateModel.response } } }, async (request) => {
    const body = request.body as Static<typeof S.updateModel.body>
    return { registered_model: registeredModelToWire(await registry.updateRegisteredModel(body.name, body.description)) }
  })

  app.delete('/registered-models/delete', { schema: { body: S.modelRef.body, response: ok } }, async (request) => {
    await registry.deleteRegisteredModel((request.body as Static<typeof S.modelRef.body>).name, user(request))
    return {}
  })

  app.get('/registered-models/get', { schema: { querystring: S.modelRef.query, response: { 200: S.modelRef.response } } }, async (request) => {
    const query = request.query as Static<typeof S.modelRef.query>
    return { registered_model: registeredModelToWire(await registry.getRegisteredModel(query.name)) }
  })

  app.get('/registered-models/search', { schema: { querystring: S.searchModels.query, response: { 200: S.searchModels.response } } }, async (request) => {
    const query = request.query as SearchInput
    const page = await registry.searchRegisteredModels({ filter: query.filter, maxResults: query.max_results, orderBy: query.order_by, pageToken: query.page_token })
    const models = page.items.map(registeredModelToWire)
    return { registered_models: models.length ? models : undefined, next_page_token: page.nextPageToken }
  })

  const latest = async (input: LatestInput) => ({ model_versions: modelVersionsToWire(await registry.getLatestVersions(input.name, input.stages)) })
  const latestSchema = { response: { 200: S.latestVersions.response } }
  app.post('/registered-models/get-latest-versions', { schema: { body: S.latestVersions.input, ...latestSchema } }, (request) => latest(request.body as LatestInput))
  app.get('/registered-models/get-latest-versions', { schema: { querystring: S.latestVersions.input, ...latestSchema } }, (request) => latest(request.query as LatestInput))

  app.post('/registered-models/set-tag', { schema: { body: S.setModelTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.setModelTag.body>
    await registry.setRegisteredModelTag(body.name, { key: body.key, value: body.value })
    return {}
  })

  app.delete('/registered-models/delete-tag', { schema: { body: S.deleteModelTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.deleteModelTag.body>
    await registry.deleteRegisteredModelTag(body.name, body.key)
    return {}
  })

  app.post('/registered-models/alias', { schema: { body: S.setAlias.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.setAlias.body>
    await registry.setAlias(body.name, body.alias, body.version, user(request))
    return {}
  })

  app.delete('/registered-models/alias', { schema: { body: S.aliasRef.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.aliasRef.body>
    await registry.deleteAlias(body.name, body.alias, user(request))
    return {}
  })

  app.get('/registered-models/alias', { schema: { querystring: S.aliasRef.query, response: { 200: S.versionRef.response } } }, async (request) => {
    const query = request.query as Static<typeof S.aliasRef.query>
    return { model_version: modelVersionToWire(await registry.getModelVersionByAlias(query.name, query.alias)) }
  })
}
