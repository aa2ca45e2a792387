import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DeploymentService, type DeploymentSpec } from '../../deployments/index.js'
import { AppError } from '../../shared/errors.js'
import { SqlDeploymentStore } from '../sql/sql-deployment-store.js'
import type { TestBackend } from './test-databases.js'

const canary: DeploymentSpec = {
  routes: [
    { model: 'churn', alias: 'champion', weight: 90 },
    { model: 'churn', alias: 'challenger', weight: 10 },
  ],
  shadow: { model: 'churn', version: '3', share: 0.1 },
}
const single: DeploymentSpec = { routes: [{ model: 'churn', alias: 'champion', weight: 100 }] }

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(() => undefined, (e: AppError) => e.code)
}

/** The deployment store and service, on every backend. */
export function describeDeploymentStore(backend: TestBackend): void {
  describe(`${backend.name}: DeploymentStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let service: DeploymentService
    const known = new Set(['churn@champion', 'churn@challenger', 'churn/3'])
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      service = new DeploymentService(new SqlDeploymentStore(opened.database), async (t) => {
        const label = t.alias ? `${t.model}@${t.alias}` : `${t.model}/${t.version}`
        if (!known.has(label)) throw new AppError('RESOURCE_DOES_NOT_EXIST', `no ${label}`)
      })
    })
    after(() => cleanup())

    it('should create a deployment at revision 1 and read it back', async () => {
      const created = await service.create('churn-api', single, 'alice')
      assert.equal(created.revision, 1)
      assert.deepEqual((await service.get('churn-api')).spec, single)
    })

    it('should return RESOURCE_ALREADY_EXISTS for a taken name', async () => {
      assert.equal(await codeOf(service.create('churn-api', single)), 'RESOURCE_ALREADY_EXISTS')
    })

    it('should refuse weights that do not add up to 100 and unknown models', async () => {
      assert.equal(await codeOf(service.create('bad', { routes: [{ model: 'churn', alias: 'champion', weight: 80 }] })), 'INVALID_PARAMETER_VALUE')
      assert.equal(await codeOf(service.create('bad', { routes: [{ model: 'nope', version: '1', weight: 100 }] })), 'RESOURCE_DOES_NOT_EXIST')
      assert.equal(await codeOf(service.create('bad name!', single)), 'INVALID_PARAMETER_VALUE')
    })

    it('should record every change as a revision and roll back to the previous routing', async () => {
      const updated = await service.update('churn-api', canary, 'bob')
      assert.equal(updated.revision, 2)
      assert.deepEqual(updated.spec, canary)
      const rolled = await service.rollback('churn-api', 'carol')
      assert.equal(rolled.revision, 3)
      assert.deepEqual(rolled.spec, single)
      const history = await service.history('churn-api')
      assert.deepEqual(history.map((r) => [r.revision, r.reason, r.createdBy]), [[3, 'rollback to 1', 'carol'], [2, 'update', 'bob'], [1, 'create', 'alice']])
    })

    it('should refuse an update made against a stale revision', async () => {
      assert.equal(await codeOf(service.update('churn-api', canary, 'x', 1)), 'INVALID_STATE')
    })

    it('should refuse to roll back a deployment with one revision', async () => {
      await service.create('fresh', single)
      assert.equal(await codeOf(service.rollback('fresh')), 'INVALID_STATE')
    })

    it('should change the change marker on every change', async () => {
      const before = await service.changeMarker()
      await service.update('fresh', canary)
      assert.notEqual(await service.changeMarker(), before)
    })

    it('should delete a deployment with its history', async () => {
      await service.delete('fresh')
      assert.equal(await codeOf(service.get('fresh')), 'RESOURCE_DOES_NOT_EXIST')
      assert.ok(!(await service.list()).some((d) => d.name === 'fresh'))
    })
  })
}
