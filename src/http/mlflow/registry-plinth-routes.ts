import type { Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RegistryService } from '../../registry/index.js'
import { RegistrySchemas as S } from './registry-schemas.js'
import { aliasChangeToWire, plinthModelVersionToWire } from './registry-wire.js'

/**
 * Plinth's registry additions (`/api/plinth/v1`): a version with its pinned bytes and ONNX
 * signature and the alias history. Lineage lives in `../lineage-routes.ts`.
 */
export function registerRegistryPlinthRoutes(app: FastifyInstance, registry: RegistryService): void {
  app.get('/model-versions/get', { schema: { querystring: S.versionRef.query, response: { 200: S.plinthVersion.response } } }, async (request) => {
    const query = request.query as Static<typeof S.versionRef.query>
    return { model_version: plinthModelVersionToWire(await registry.getModelVersion(query.name, query.version)) }
  })

  app.get('/registered-models/alias-history', { schema: { querystring: S.aliasHistory.query, response: { 200: S.aliasHistory.response } } }, async (request) => {
    const query = request.query as Static<typeof S.aliasHistory.query>
    return { history: (await registry.aliasHistory(query.name, query.alias)).map(aliasChangeToWire) }
  })
}
