import { Type as T, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RegistryService } from '../../registry/index.js'
import { AppError } from '../../shared/errors.js'
import { PlinthModelVersionSchema, RegistrySchemas as S } from './registry-schemas.js'
import { aliasChangeToWire, plinthModelVersionToWire } from './registry-wire.js'
import { RunSchema } from './tracking-schemas.js'
import { runToWire } from './tracking-wire.js'

const LineageResponse = T.Object({
  run_id: T.Optional(T.String()),
  model_versions: T.Optional(T.Array(PlinthModelVersionSchema)),
  model_version: T.Optional(PlinthModelVersionSchema),
  run: T.Optional(RunSchema),
})

/**
 * Plinth's registry additions (`/api/plinth/v1`): a version with its pinned bytes and ONNX
 * signature, the alias history, and lineage between runs and model versions.
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

  app.get('/lineage', { schema: { querystring: S.lineage.query, response: { 200: LineageResponse } } }, async (request) => {
    const query = request.query as Static<typeof S.lineage.query>
    if (query.run_id) {
      const versions = await registry.versionsForRun(query.run_id)
      return { run_id: query.run_id, model_versions: versions.map(plinthModelVersionToWire) }
    }
    if (query.model) {
      const { modelVersion, run } = await registry.runOfVersion(query.model, query.version)
      return { model_version: plinthModelVersionToWire(modelVersion), run: run && runToWire(run) }
    }
    throw new AppError('INVALID_PARAMETER_VALUE', 'Give run_id (the versions registered from a run) or model and version (the run a version came from).')
  })
}
