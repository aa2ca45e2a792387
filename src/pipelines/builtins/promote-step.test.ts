import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { registerModels, unaryModel } from '../../inference/serving-fixtures.test-helper.js'
import type { AppError } from '../../shared/errors.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { testContext } from './builtin-fixtures.test-helper.js'
import { createPromoteStep } from './promote-step.js'

describe('promote (built-in step)', () => {
  let t: TestApp
  const step = createPromoteStep()
  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Neg')], { champion: 1 })
    await t.services.deployments.create('api', { routes: [{ model: 'churn', version: '1', weight: 90 }, { model: 'churn', version: '2', weight: 10 }] })
  })
  after(() => t.close())

  it('should move the alias, keep its history and route the deployment to it', async () => {
    const result = await step.run({ model: 'churn', version: '2', deployment: 'api' }, testContext(t.services))
    assert.deepEqual([result.outputs.previous_version, result.outputs.version, result.outputs.changed], ['1', '2', 'true'])
    assert.equal((await t.services.registry.getModelVersionByAlias('churn', 'champion')).version, 2)
    const moves = await t.services.registry.aliasHistory('churn', 'champion')
    assert.deepEqual(moves.map((m) => [m.fromVersion ?? null, m.toVersion ?? null]), [[null, 1], [1, 2]])
    assert.deepEqual((await t.services.deployments.get('api')).spec.routes, [{ model: 'churn', alias: 'champion', weight: 100 }])
  })

  it('should change nothing when run again', async () => {
    const revision = (await t.services.deployments.get('api')).revision
    const again = await step.run({ model: 'churn', version: 2, deployment: 'api' }, testContext(t.services))
    assert.equal(again.outputs.changed, 'false')
    assert.equal((await t.services.deployments.get('api')).revision, revision)
    assert.equal((await t.services.registry.aliasHistory('churn', 'champion')).length, 2)
  })

  it('should refuse an unknown version and bad arguments', async () => {
    const error = (await step.run({ model: 'churn', version: 9 }, testContext(t.services)).catch((e: AppError) => e)) as AppError
    assert.equal(error.code, 'RESOURCE_DOES_NOT_EXIST')
    assert.deepEqual(step.validate({ model: 'churn', version: 'two', alais: 'x' }), [
      "promote: unknown argument 'alais' (did you mean 'alias'?); it takes model, version, alias, deployment.",
      "promote: 'version' must be a whole number from 1 to ∞; got 'two'.",
    ])
  })
})
