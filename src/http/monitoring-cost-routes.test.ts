import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { registerModels, unaryModel, v2Body } from '../inference/serving-fixtures.test-helper.js'
import { parseSamples } from '../monitoring/cost/cost-exposition.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { resolveConfig } from '../config/index.js'
import { createModelServerApp } from './model-server-app.js'

const PRICE = 0.048
const ROWS = Array.from({ length: 64 }, (_, i) => [i, -i, i / 2, 1 - i])

async function predict(t: TestApp, name: string, requests: number): Promise<void> {
  for (let i = 0; i < requests; i++) {
    const response = await call(t.app, 'POST', `/v2/models/${name}/infer`, v2Body(ROWS))
    assert.equal(response.status, 200, JSON.stringify(response.body))
  }
}

async function cost(t: TestApp, query = ''): Promise<any> {
  const response = await call(t.app, 'GET', `/api/plinth/v1/monitoring/cost${query}`)
  assert.equal(response.status, 200, JSON.stringify(response.body))
  return response.body
}

describe('GET /api/plinth/v1/monitoring/cost', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp({ pricePerCoreHour: PRICE })
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Sigmoid')], { champion: 1 })
    const created = await call(t.app, 'POST', '/api/plinth/v1/deployments', { name: 'churn-prod', routes: [{ model: 'churn', version: '2', weight: 100 }] })
    assert.equal(created.status, 200, JSON.stringify(created.body))
  })
  after(() => t.close())

  it('should report the price and no models before any traffic', async () => {
    const body = await cost(t)
    assert.equal(body.price_per_core_hour, PRICE)
    assert.deepEqual(body.models, [])
    assert.ok(Date.parse(body.since) <= Date.now())
  })

  it('should grow CPU seconds with traffic and price 1,000 predictions from them', async () => {
    await predict(t, 'churn-prod', 20)
    const first = (await cost(t, '?deployment=churn-prod')).models
    assert.equal(first.length, 1)
    assert.equal(first[0].model, 'churn')
    assert.equal(first[0].version, '2')
    assert.equal(first[0].predictions, 20 * ROWS.length)
    assert.ok(first[0].cpu_seconds > 0, `cpu_seconds ${first[0].cpu_seconds}`)

    await predict(t, 'churn-prod', 60)
    const [row] = (await cost(t, '?deployment=churn-prod')).models
    assert.equal(row.predictions, 80 * ROWS.length)
    assert.ok(row.cpu_seconds > first[0].cpu_seconds, `${row.cpu_seconds} after more traffic vs ${first[0].cpu_seconds}`)
    const expected = ((row.cpu_seconds / 3600) * PRICE * 1000) / row.predictions
    assert.ok(Math.abs(row.cost_per_1000 - expected) <= 1e-12 * expected, `${row.cost_per_1000} vs ${expected}`)
    assert.ok(Math.abs(row.cpu_seconds_per_1000 - (row.cpu_seconds * 1000) / row.predictions) <= 1e-9)
    assert.equal(row.price_per_core_hour, PRICE)
    assert.ok(row.memory_bytes > 0)
  })

  it('should keep a model called by name apart from its deployment, and filter by model', async () => {
    await predict(t, 'churn', 5)
    const byName = (await cost(t, '?model=churn&deployment=')).models
    assert.deepEqual(byName.map((r: any) => [r.version, r.deployment, r.predictions]), [['1', '', 5 * ROWS.length]])
    const all = (await cost(t, '?model=churn')).models
    assert.deepEqual(all.map((r: any) => `${r.version}:${r.deployment}`), ['1:', '2:churn-prod'])
    assert.deepEqual((await cost(t, '?model=unknown')).models, [])
  })

  it('should export the same figures in /metrics', async () => {
    const [row] = (await cost(t, '?deployment=churn-prod')).models
    const text = (await call(t.app, 'GET', '/metrics')).body as string
    const names = new Set(['plinth_model_cpu_seconds_total', 'plinth_cost_per_1000_predictions', 'plinth_model_memory_bytes', 'plinth_model_predictions_total'])
    const samples = parseSamples(text, names).filter((s) => s.labels.model === 'churn' && s.labels.version === '2')
    const value = (name: string) => samples.find((s) => s.name === name)!.value
    assert.ok(value('plinth_model_cpu_seconds_total') >= row.cpu_seconds)
    assert.equal(value('plinth_model_predictions_total'), row.predictions)
    assert.equal(value('plinth_model_memory_bytes'), row.memory_bytes)
    assert.ok(value('plinth_cost_per_1000_predictions') > 0)
  })

  it('should refuse an empty model name, an unknown parameter and a repeated one with 400', async () => {
    for (const [query, words] of [
      ['?model=', "'model' is empty"],
      ['?modle=churn', "Unknown query parameter 'modle'"],
      ['?model=a&model=b', "'model'"],
    ] as const) {
      const response = await call(t.app, 'GET', `/api/plinth/v1/monitoring/cost${query}`)
      assert.equal(response.status, 400, query)
      assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE', query)
      assert.ok(response.body.message.includes(words), response.body.message)
    }
  })
})

describe('GET /api/plinth/v1/monitoring/cost without a price', () => {
  it('should give CPU figures and null costs', async () => {
    const t = await createTestApp()
    try {
      await registerModels(t.services, 'churn', [unaryModel('Neg')])
      await predict(t, 'churn', 3)
      const body = await cost(t)
      assert.equal(body.price_per_core_hour, null)
      assert.equal(body.models[0].cost_per_1000, null)
      assert.ok(body.models[0].cpu_seconds_per_1000 > 0)
    } finally {
      await t.close()
    }
  })
})

describe('GET /api/plinth/v1/monitoring/cost with a shadow', () => {
  it('should charge the shadow\'s CPU to its deployment without counting its predictions', async () => {
    const t = await createTestApp({ pricePerCoreHour: 1 })
    try {
      await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Abs')])
      const spec = { name: 'shadowed', routes: [{ model: 'churn', version: '1', weight: 100 }], shadow: { model: 'churn', version: '2', share: 1 } }
      assert.equal((await call(t.app, 'POST', '/api/plinth/v1/deployments', spec)).status, 200)
      await predict(t, 'shadowed', 10)
      while (t.services.inference.shadowPending > 0) await new Promise((resolve) => setTimeout(resolve, 5))
      const rows = (await cost(t, '?deployment=shadowed')).models
      const byVersion = Object.fromEntries(rows.map((r: any) => [r.version, r]))
      assert.equal(byVersion['1'].predictions, 10 * ROWS.length)
      assert.equal(byVersion['2'].predictions, 0)
      assert.ok(byVersion['2'].cpu_seconds > 0)
      assert.equal(byVersion['2'].cost_per_1000, null)
    } finally {
      await t.close()
    }
  })
})

describe('GET /api/plinth/v1/monitoring/cost on plinth serve', () => {
  it('should report the one served model', async () => {
    const config = resolveConfig({ pricePerCoreHour: '0.2' }, {})
    const { app } = await createModelServerApp({ name: 'solo', version: 1, bytes: unaryModel('Relu') }, config)
    try {
      await app.ready()
      const infer = await app.inject({ method: 'POST', url: '/v2/models/solo/infer', payload: v2Body(ROWS) })
      assert.equal(infer.statusCode, 200, infer.body)
      const body = JSON.parse((await app.inject({ method: 'GET', url: '/api/plinth/v1/monitoring/cost' })).body)
      assert.equal(body.price_per_core_hour, 0.2)
      assert.deepEqual(body.models.map((r: any) => [r.model, r.version, r.predictions]), [['solo', '1', ROWS.length]])
    } finally {
      await app.close()
    }
  })
})
