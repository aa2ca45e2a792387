import { Type as T, type Static, type TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { DeploymentLineage } from '../deployments/index.js'
import type { ModelVersion, RegistryService } from '../registry/index.js'
import { AppError } from '../shared/errors.js'
import { DeploymentSchema, deploymentToWire, TargetUseSchema, targetUseToWire } from './deployment-schemas.js'
import { PlinthModelVersionSchema } from './mlflow/registry-schemas.js'
import { plinthModelVersionToWire } from './mlflow/registry-wire.js'
import { RunSchema } from './mlflow/tracking-schemas.js'
import { runToWire } from './mlflow/tracking-wire.js'

const Opt = <S extends TSchema>(s: S) => T.Optional(s)

const LineageQuery = T.Object({ run_id: Opt(T.String()), model: Opt(T.String()), version: Opt(T.String()), alias: Opt(T.String()), deployment: Opt(T.String()) })

const LineageResponse = T.Object({
  run_id: Opt(T.String()),
  model_versions: Opt(T.Array(PlinthModelVersionSchema)),
  model_version: Opt(PlinthModelVersionSchema),
  run: Opt(RunSchema),
  deployment: Opt(DeploymentSchema),
  /** Routes and shadows: of the deployment asked for, or those reaching the versions above. */
  deployments: Opt(T.Array(TargetUseSchema)),
})

const key = (v: ModelVersion) => ({ model: v.name, version: v.version })

/**
 * Lineage both ways along run → model version → deployment (`/api/plinth/v1/lineage`).
 * Deployments are matched by the versions their routes reach now, aliases resolved.
 */
export function registerLineageRoutes(app: FastifyInstance, registry: RegistryService, lineage: DeploymentLineage): void {
  app.get('/lineage', { schema: { querystring: LineageQuery, response: { 200: LineageResponse } } }, async (request) => {
    const query = request.query as Static<typeof LineageQuery>
    if (query.run_id) {
      const versions = await registry.versionsForRun(query.run_id)
      const uses = await lineage.usesOf(versions.map(key))
      return { run_id: query.run_id, model_versions: versions.map(plinthModelVersionToWire), deployments: uses.map(targetUseToWire) }
    }
    if (query.deployment) {
      const { deployment, targets } = await lineage.targetsOf(query.deployment)
      return { deployment: deploymentToWire(deployment), deployments: targets.map(targetUseToWire) }
    }
    if (query.model && (query.version || query.alias)) {
      const version = query.version ?? String((await registry.getModelVersionByAlias(query.model, query.alias)).version)
      const { modelVersion, run } = await registry.runOfVersion(query.model, version)
      const uses = await lineage.usesOf([key(modelVersion)])
      return { model_version: plinthModelVersionToWire(modelVersion), run: run && runToWire(run), deployments: uses.map(targetUseToWire) }
    }
    throw new AppError(
      'INVALID_PARAMETER_VALUE',
      'Give run_id (the versions registered from a run and the deployments serving them), model with version or alias (the run a version came from and the deployments serving it), or deployment (the versions and runs it serves).',
    )
  })
}
