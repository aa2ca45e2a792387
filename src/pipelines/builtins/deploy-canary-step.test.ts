import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { registerModels, unaryModel, v2Body } from '../../inference/serving-fixtures.test-helper.js'
import type { AppError } from '../../shared/errors.js'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'
import { testContext } from './builtin-fixtures.test-helper.js'
import { createDeployCanaryStep } from './deploy-canary-step.js'

const TEN_MINUTES = 600_000

describe('deploy-canary (built-in step)', () => {
  let t: TestApp
  const step = createDeployCanaryStep()

  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Neg'), unaryModel('Abs')], { champion: 1 })
  })
  after(() => t.close())

  const champion = [{ model: 'churn', alias: 'champion', weight: 100 }]

  /** Real V2 requests through the deployment, after serving picks up the routing the step just set. */
  const traffic = (deployment: string, requests: number) => async () => {
    await t.services.inference.pollChanges()
    for (let i = 0; i < requests; i++) {
      const response = await call(t.app, 'POST', `/v2/models/${deployment}/infer`, v2Body([[1, -2, 3, -4]]))
      assert.equal(response.status, 200, JSON.stringify(response.body))
    }
  }

  const failure = (promise: Promise<unknown>) => promise.then(() => assert.fail('the step should fail'), (e: AppError) => e)

  it('should bake each stage on real traffic and promote the candidate to 100%', async () => {
    await t.services.deployments.create('api', { routes: champion })
    const context = testContext(t.services, { duringSleep: traffic('api', 40) })
    const result = await step.run({ deployment: 'api', model: 'churn', version: '2', steps: [30, 60, 100], bake: '10m', max_p99_ms: 60_000 }, context)
    assert.equal(result.outputs.decision, 'promoted')
    assert.deepEqual(context.slept, [TEN_MINUTES, TEN_MINUTES])
    assert.deepEqual([result.outputs['stage.1.weight'], result.outputs['stage.2.weight']], ['30', '60'])
    assert.ok(Number(result.outputs['stage.1.requests']) > 0 && Number(result.outputs['stage.2.requests']) > 0, JSON.stringify(result.outputs))
    assert.equal(result.outputs['stage.2.error_rate'], '0')
    const history = await t.services.deployments.history('api')
    assert.deepEqual(history.reverse().map((r) => r.spec.routes.map((route) => route.weight)), [[100], [70, 30], [40, 60], [100]])
    assert.deepEqual((await t.services.deployments.get('api')).spec.routes, [{ model: 'churn', version: '2', weight: 100 }])
  })

  it('should roll back when a named monitor fires during the bake', async () => {
    await t.services.deployments.create('api2', { routes: champion })
    await t.services.monitors.create({ name: 'api2-traffic', deployment: 'api2', schedule: { every: '1h' }, window: '1h', conditions: [{ type: 'no_traffic', min_requests: 1000 }] })
    const error = await failure(step.run({ deployment: 'api2', candidate: 'models:/churn/2', weight: 50, bake: '5m', monitor: 'api2-traffic' }, testContext(t.services, { duringSleep: traffic('api2', 10) })))
    assert.equal(error.code, 'GATE_FAILED')
    assert.match(error.message, /rolled back: the candidate failed its bake at 50%: alert firing: api2-traffic: no_traffic/)
    assert.equal(error.details?.decision, 'rolled_back')
    const current = await t.services.deployments.get('api2')
    assert.deepEqual(current.spec.routes, champion)
    assert.equal((await t.services.deployments.history('api2'))[0]!.reason, 'rollback to 1')
  })

  it('should roll back when the candidate route errors above the bound', async () => {
    await t.services.deployments.create('api3', { routes: champion })
    const failing = async () => {
      await traffic('api3', 5)()
      const now = Date.now()
      const logs = Array.from({ length: 10 }, (_, i) => ({ predictionId: `canary-fail-${i}`, model: 'churn', version: '3', deployment: 'api3', time: now, rows: 0, inputs: {}, outputs: {}, latencyMs: 2, error: 'INVALID_PARAMETER_VALUE' }))
      await t.services.predictionLogs.ingest(logs)
    }
    const error = await failure(step.run({ deployment: 'api3', model: 'churn', version: 3, weight: 20, bake: '1m', max_error_rate: 0.1 }, testContext(t.services, { duringSleep: failing })))
    assert.equal(error.code, 'GATE_FAILED')
    assert.match(error.message, /error rate [\d.]+ \(10\/\d+\) above max_error_rate 0\.1/)
    assert.deepEqual((await t.services.deployments.get('api3')).spec.routes, champion)
  })

  it('should roll back when too few requests reached the candidate', async () => {
    await t.services.deployments.create('quiet', { routes: champion })
    const error = await failure(step.run({ deployment: 'quiet', model: 'churn', version: 2, bake: '1m', min_requests: 5 }, testContext(t.services)))
    assert.match(error.message, /only 0 requests reached the candidate \(min_requests 5\)/)
    assert.deepEqual((await t.services.deployments.get('quiet')).spec.routes, champion)
  })

  it('should restore the routes when the run is cancelled during the bake', async () => {
    await t.services.deployments.create('cancelled', { routes: champion })
    const controller = new AbortController()
    const context = testContext(t.services, { signal: controller.signal, duringSleep: async () => controller.abort() })
    await failure(step.run({ deployment: 'cancelled', model: 'churn', version: 2, bake: '1m' }, context))
    assert.deepEqual((await t.services.deployments.get('cancelled')).spec.routes, champion)
    assert.match(context.lines.join('\n'), /stopped during the bake; routes restored/)
  })

  it('should create a missing deployment at 100% without baking', async () => {
    const context = testContext(t.services)
    const result = await step.run({ deployment: 'fresh', model: 'churn', version: 2 }, context)
    assert.deepEqual([result.outputs.decision, result.outputs.note], ['promoted', 'created the deployment'])
    assert.deepEqual(context.slept, [])
    assert.deepEqual((await t.services.deployments.get('fresh')).spec.routes, [{ model: 'churn', version: '2', weight: 100 }])
  })

  it('should refuse bad arguments and unknown monitors before moving traffic', async () => {
    const problems = step.validate({ deployment: 'api', model: 'churn', steps: [50, 10], bake: 'soon', max_eror_rate: 0.1 })
    assert.equal(problems.length, 4, problems.join('\n'))
    assert.match(problems.join('\n'), /give the candidate as model \+ version/)
    assert.match(problems.join('\n'), /'steps' must be increasing percentages/)
    assert.match(problems.join('\n'), /'bake' must be a duration such as 30s/)
    assert.match(problems.join('\n'), /unknown argument 'max_eror_rate' \(did you mean 'max_error_rate'\?\)/)
    await t.services.deployments.create('guarded', { routes: champion })
    const error = await failure(step.run({ deployment: 'guarded', model: 'churn', version: 2, monitor: 'nobody' }, testContext(t.services)))
    assert.equal(error.code, 'RESOURCE_DOES_NOT_EXIST')
    assert.equal((await t.services.deployments.get('guarded')).revision, 1)
  })
})
