import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import type { InferenceEngine, LoadedModel } from '../serving/inference-engine.js'
import type { AppError } from '../shared/errors.js'
import { InferenceService } from './inference-service.js'
import { SingleModelCatalog } from './single-model-catalog.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { registerModels, unaryModel, unloadableModel, v2Body } from './serving-fixtures.test-helper.js'

const ROW = [1, 2, 3, 4]

async function infer(t: TestApp, path: string, headers: Record<string, string> = {}) {
  return call(t.app, 'POST', `/v2/models/${path}/infer`, v2Body([ROW]), headers)
}

/** Which version answered: the fixtures' versions apply different ops to the row. */
function versionOf(response: { status: number; body: any; headers: Record<string, unknown> }): string {
  assert.equal(response.status, 200, JSON.stringify(response.body))
  return response.body.model_version
}

async function counterValue(metrics: PlinthMetrics, name: keyof PlinthMetrics, labels: Record<string, string>): Promise<number> {
  const metric = metrics[name] as unknown as { get(): Promise<{ values: Array<{ labels: Record<string, unknown>; value: number; metricName?: string }> }> }
  const { values } = await metric.get()
  return values
    .filter((v) => !v.metricName?.endsWith('_bucket') && !v.metricName?.endsWith('_sum') && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0)
}

describe('inference: resolving names', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Neg'), unaryModel('Abs')])
    await registerModels(t.services, 'fraud', [unaryModel('Relu')])
  })
  after(() => t.close())

  it('should serve the newest READY version of a model without a champion', async () => {
    assert.equal(versionOf(await infer(t, 'churn')), '3')
  })

  it('should serve the champion alias once it is set, after the change is noticed', async () => {
    await t.services.registry.setAlias('churn', 'champion', 1)
    await t.services.inference.pollChanges()
    const response = await infer(t, 'churn')
    assert.equal(versionOf(response), '1')
    assert.deepEqual(response.body.outputs[0].data, ROW)
  })

  it('should serve a deployment before a model of the same name', async () => {
    await t.services.deployments.create('churn', { routes: [{ model: 'fraud', version: '1', weight: 100 }] })
    await t.services.inference.pollChanges()
    const response = await infer(t, 'churn')
    assert.equal(response.headers['x-plinth-model-version'], 'fraud/1')
    assert.equal(response.body.model_name, 'churn')
    await t.services.deployments.delete('churn')
    await t.services.inference.pollChanges()
    assert.equal((await infer(t, 'churn')).headers['x-plinth-model-version'], 'churn/1')
  })

  it('should serve an exact version, and refuse unknown or malformed ones', async () => {
    const response = await infer(t, 'churn/versions/2')
    assert.equal(versionOf(response), '2')
    assert.deepEqual(response.body.outputs[0].data, ROW.map((v) => -v))
    const missing = await infer(t, 'churn/versions/9')
    assert.equal(missing.status, 404)
    assert.match(missing.body.error, /version=9/)
    assert.equal((await infer(t, 'churn/versions/two')).status, 400)
    const unknown = await infer(t, 'nobody')
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.error_code, 'RESOURCE_DOES_NOT_EXIST')
  })

  it('should notice a new version registered after the name was cached', async () => {
    await t.services.registry.deleteAlias('churn', 'champion')
    await t.services.inference.pollChanges()
    assert.equal(versionOf(await infer(t, 'churn')), '3')
    await t.services.registry.createModelVersion({ name: 'churn', source: 'models:/churn/1' })
    await t.services.inference.pollChanges()
    assert.equal(versionOf(await infer(t, 'churn')), '4')
  })
})

describe('inference: a version that fails to load', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unloadableModel()], { champion: 1 })
    await registerModels(t.services, 'broken', [unloadableModel()])
  })
  after(() => t.close())

  it('should answer 503 with the reason and Retry-After for that version only', async () => {
    const failed = await infer(t, 'broken')
    assert.equal(failed.status, 503)
    assert.equal(failed.body.error_code, 'TEMPORARILY_UNAVAILABLE')
    assert.match(failed.body.error, /broken\/1 failed to load: .*NoSuchOperator/)
    assert.ok(Number(failed.headers['retry-after']) >= 1)
    assert.equal(versionOf(await infer(t, 'churn')), '1')
    const ready = await call(t.app, 'GET', '/v2/models/broken/ready')
    assert.equal(ready.status, 503)
    assert.equal(await counterValue(t.services.metrics, 'inferenceFailures', { model: 'broken', reason: 'model_failed' }), 1)
  })

  it('should keep serving the old champion when the alias moves to a version that cannot load', async () => {
    await t.services.registry.setAlias('churn', 'champion', 2)
    await t.services.inference.pollChanges()
    assert.equal(versionOf(await infer(t, 'churn')), '1')
    assert.equal((await infer(t, 'churn/versions/2')).status, 503)
    await t.services.registry.setAlias('churn', 'champion', 1)
    await t.services.inference.pollChanges()
    assert.equal(versionOf(await infer(t, 'churn')), '1')
  })
})

describe('inference: hot swaps and deployments', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Neg'), unloadableModel()], { champion: 1 })
  })
  after(() => t.close())

  it('should answer every request with 200 while the alias moves back and forth under load', async () => {
    const seen = new Set<string>()
    const statuses: number[] = []
    let stop = false
    const client = async () => {
      while (!stop) {
        const response = await infer(t, 'churn')
        statuses.push(response.status)
        if (response.status === 200) seen.add(response.body.model_version)
      }
    }
    const clients = Array.from({ length: 8 }, client)
    for (const version of [2, 1, 2, 1, 2]) {
      await new Promise((resolve) => setTimeout(resolve, 30))
      await t.services.registry.setAlias('churn', 'champion', version)
      await t.services.inference.pollChanges()
    }
    await new Promise((resolve) => setTimeout(resolve, 30))
    stop = true
    await Promise.all(clients)
    assert.ok(statuses.length > 50, `only ${statuses.length} requests ran`)
    assert.deepEqual([...new Set(statuses)], [200])
    assert.deepEqual([...seen].sort(), ['1', '2'])
    assert.equal(versionOf(await infer(t, 'churn')), '2')
  })

  it('should pin a caller to one route by the sticky header and split the rest by weight', async () => {
    await t.services.deployments.create('ab', { routes: [{ model: 'churn', version: '1', weight: 50 }, { model: 'churn', version: '2', weight: 50 }], stickyHeader: 'X-User' })
    await t.services.inference.pollChanges()
    for (const user of ['alice', 'bob', 'carol']) {
      const versions = new Set<string>()
      for (let i = 0; i < 5; i++) versions.add(versionOf(await infer(t, 'ab', { 'x-user': user })))
      assert.equal(versions.size, 1, `${user} moved between routes`)
    }
    const metadata = await call(t.app, 'GET', '/v2/models/ab')
    assert.equal(metadata.body.name, 'ab')
    assert.equal(metadata.body.versions, undefined, 'a deployment has no versions to ask for by number')
    assert.deepEqual(metadata.body.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }])
    const unpinned = new Set<string>()
    for (let i = 0; i < 40; i++) unpinned.add(versionOf(await infer(t, 'ab')))
    assert.deepEqual([...unpinned].sort(), ['1', '2'])
  })

  it('should mirror to the shadow off the response path and record its difference and disagreements', async () => {
    await t.services.deployments.create('mirrored', { routes: [{ model: 'churn', version: '1', weight: 100 }], shadow: { model: 'churn', version: '2', share: 1 } })
    await t.services.inference.pollChanges()
    for (let i = 0; i < 5; i++) assert.equal(versionOf(await infer(t, 'mirrored')), '1')
    while (t.services.inference.shadowPending > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const metrics = t.services.metrics
    assert.equal(await counterValue(metrics, 'shadowRequests', { deployment: 'mirrored', model: 'churn', version: '2', outcome: 'ok' }), 5)
    assert.equal(await counterValue(metrics, 'shadowDisagreements', { deployment: 'mirrored' }), 5)
    const { values } = await metrics.shadowDifference.get()
    const sum = values.find((v) => v.metricName === 'plinth_shadow_output_difference_ratio_sum' && v.labels.deployment === 'mirrored')
    assert.ok(sum && Math.abs(sum.value - 10) < 1e-6, `ratio sum ${sum?.value}`)
    assert.equal(await counterValue(metrics, 'inferenceRequests', { deployment: 'mirrored', version: '1', outcome: 'ok' }), 5)
  })

  it('should answer every request when the shadow cannot load, counting the shadow\'s failures', async () => {
    await t.services.deployments.create('bad-shadow', { routes: [{ model: 'churn', version: '1', weight: 100 }], shadow: { model: 'churn', version: '3', share: 1 } })
    await t.services.inference.pollChanges()
    for (let i = 0; i < 4; i++) assert.equal(versionOf(await infer(t, 'bad-shadow')), '1')
    while (t.services.inference.shadowPending > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(await counterValue(t.services.metrics, 'shadowRequests', { deployment: 'bad-shadow', outcome: 'failed' }), 4)
  })
})

/** An engine whose inferences wait, once `close` is called, until `open` is. */
function gatedEngine() {
  let open: () => void = () => undefined
  let gate: Promise<void> | undefined
  const engine: InferenceEngine = {
    async load(): Promise<LoadedModel> {
      return {
        signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 4] }] },
        memoryBytes: 1,
        infer: async (inputs) => (await gate, [{ ...inputs[0]!, name: 'y' }]),
        dispose: async () => undefined,
      }
    },
  }
  return { engine, close: () => (gate = new Promise<void>((resolve) => (open = resolve))), open: () => open() }
}

describe('inference: the queue bound', () => {
  for (const maxBatchSize of [1, 8]) {
    it(`should refuse requests past --max-queue-size with retryAfterSeconds (batch size ${maxBatchSize})`, async () => {
      const { engine, close, open } = gatedEngine()
      const metrics = new PlinthMetrics({ processMetrics: false })
      const service = new InferenceService({
        catalog: new SingleModelCatalog({ name: 'm', version: 1, bytes: unaryModel('Identity') }),
        metrics, engine, maxBatchSize, maxQueueDelayMs: 0, maxQueueSize: 3,
      })
      await service.ready('m')
      close()
      const request = () => service.infer({ name: 'm', protocol: 'v2', decode: () => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: Float32Array.from(ROW) }] }) })
      const accepted = [request(), request(), request()]
      await new Promise((resolve) => setImmediate(resolve))
      const refused = await request().then(() => undefined, (error: AppError) => error)
      assert.equal(refused?.code, 'TEMPORARILY_UNAVAILABLE')
      assert.equal(refused?.details?.retryAfterSeconds, 1)
      open()
      assert.equal((await Promise.all(accepted)).length, 3)
      assert.equal((await request()).outputs[0]!.name, 'y', 'the queue drains and serves again')
      assert.equal(await counterValue(metrics, 'inferenceFailures', { model: 'm', reason: 'overloaded' }), 1)
      await service.close()
    })
  }
})
