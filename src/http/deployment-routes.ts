import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { DeploymentService } from '../deployments/index.js'
import { changesFromWire, DeploymentSchemas as S, deploymentToWire, revisionToWire, specFromWire } from './deployment-schemas.js'

type Params = { name: string }

/**
 * Deployments (`/api/plinth/v1/deployments`): named endpoints routing traffic to model versions.
 * Writes need the editor role under --auth (the default for non-GET routes) and are recorded
 * under the token's name. A change made against a stale `expected_revision`, or a rollback with
 * nothing to roll back to, is 409 INVALID_STATE.
 */
export function registerDeploymentRoutes(app: FastifyInstance, deployments: DeploymentService): void {
  const by = (request: FastifyRequest) => request.principal?.name
  const config = { errorStatus: { INVALID_STATE: 409 } }

  app.post('/deployments', { config, schema: S.create }, async (request) => {
    const body = request.body as Static<typeof S.create.body>
    return { deployment: deploymentToWire(await deployments.create(body.name, specFromWire(body), by(request))) }
  })

  app.get('/deployments', { schema: S.list }, async () => {
    return { deployments: (await deployments.list()).map(deploymentToWire) }
  })

  app.get('/deployments/:name', { schema: S.get }, async (request) => {
    return { deployment: deploymentToWire(await deployments.get((request.params as Params).name)) }
  })

  app.put('/deployments/:name', { config, schema: S.replace }, async (request) => {
    const body = request.body as Static<typeof S.replace.body>
    const updated = await deployments.update((request.params as Params).name, specFromWire(body), by(request), body.expected_revision)
    return { deployment: deploymentToWire(updated) }
  })

  app.patch('/deployments/:name', { config, schema: S.patch }, async (request) => {
    const body = request.body as Static<typeof S.patch.body>
    const updated = await deployments.patch((request.params as Params).name, changesFromWire(body), by(request), body.expected_revision)
    return { deployment: deploymentToWire(updated) }
  })

  app.post('/deployments/:name/rollback', { config, schema: S.rollback }, async (request) => {
    const body = request.body as Static<typeof S.rollback.body>
    const options = { toRevision: body.to_revision, expectedRevision: body.expected_revision }
    return { deployment: deploymentToWire(await deployments.rollback((request.params as Params).name, by(request), options)) }
  })

  app.get('/deployments/:name/history', { schema: S.history }, async (request) => {
    return { history: (await deployments.history((request.params as Params).name)).map(revisionToWire) }
  })

  app.delete('/deployments/:name', { config, schema: S.remove }, async (request) => {
    await deployments.delete((request.params as Params).name)
    return {}
  })
}
