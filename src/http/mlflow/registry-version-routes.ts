import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RegistryService } from '../../registry/index.js'
import { Empty, RegistrySchemas as S } from './registry-schemas.js'
import { modelVersionToWire } from './registry-wire.js'
import type { UserOf } from './run-routes.js'

type VersionQuery = Static<typeof S.versionRef.query>

/** MLflow's model-version endpoints (model_registry.proto). */
export function registerModelVersionRoutes(app: FastifyInstance, registry: RegistryService, userOf: UserOf): void {
  const ok = { 200: Empty }
  const one = { 200: S.versionRef.response }

  app.post('/model-versions/create', { schema: { body: S.createVersion.body, response: { 200: S.createVersion.response } } }, async (request) => {
    const body = request.body as Static<typeof S.createVersion.body>
    const version = await registry.createModelVersion({
      name: body.name,
      source: body.source,
      runId: body.run_id,
      runLink: body.run_link,
      description: body.description,
      tags: body.tags,
      userId: userOf(request),
    })
    return { model_version: modelVersionToWire(version) }
  })

  app.patch('/model-versions/update', { schema: { body: S.updateVersion.body, response: one } }, async (request) => {
    const body = request.body as Static<typeof S.updateVersion.body>
    return { model_version: modelVersionToWire(await registry.updateModelVersion(body.name, body.version, body.description)) }
  })

  app.post('/model-versions/transition-stage', { schema: { body: S.transitionStage.body, response: one } }, async (request) => {
    const body = request.body as Static<typeof S.transitionStage.body>
    const version = await registry.transitionModelVersionStage(body.name, body.version, body.stage, body.archive_existing_versions)
    return { model_version: modelVersionToWire(version) }
  })

  app.delete('/model-versions/delete', { schema: { body: S.versionRef.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.versionRef.body>
    await registry.deleteModelVersion(body.name, body.version, userOf(request) ?? 'unknown')
    return {}
  })

  app.get('/model-versions/get', { schema: { querystring: S.versionRef.query, response: one } }, async (request) => {
    const query = request.query as VersionQuery
    return { model_version: modelVersionToWire(await registry.getModelVersion(query.name, query.version)) }
  })

  app.get('/model-versions/search', { schema: { querystring: S.searchVersions.query, response: { 200: S.searchVersions.response } } }, async (request) => {
    const query = request.query as Static<typeof S.searchVersions.query>
    const page = await registry.searchModelVersions({ filter: query.filter, maxResults: query.max_results, orderBy: query.order_by, pageToken: query.page_token })
    const versions = page.items.map(modelVersionToWire)
    return { model_versions: versions.length ? versions : undefined, next_page_token: page.nextPageToken }
  })

  app.get('/model-versions/get-download-uri', { schema: { querystring: S.versionRef.query, response: { 200: S.downloadUri.response } } }, async (request) => {
    const query = request.query as VersionQuery
    return { artifact_uri: await registry.getModelVersionDownloadUri(query.name, query.version) }
  })

  app.post('/model-versions/set-tag', { schema: { body: S.setVersionTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.setVersionTag.body>
    await registry.setModelVersionTag(body.name, body.version, { key: body.key, value: body.value })
    return {}
  })

  app.delete('/model-versions/delete-tag', { schema: { body: S.deleteVersionTag.body, response: ok } }, async (request) => {
    const body = request.body as Static<typeof S.deleteVersionTag.body>
    await registry.deleteModelVersionTag(body.name, body.version, body.key)
    return {}
  })
}
