import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { parseSamples } from '../../src/monitoring/cost/cost-exposition.js'
import { freePort, makeTempDir, okJson, removeTempDir, requestJson, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

const PRICE = 0.05
const REQUESTS = 120
const BODY = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, -1, -2, -3, -4] }] }
const NAMES = new Set(['plinth_model_cpu_seconds_total', 'plinth_model_predictions_total', 'plinth_cost_per_1000_predictions', 'plinth_cost_price_per_core_hour', 'plinth_models_loaded'])

/**
 * Under --workers every worker counts its own CPU and predictions; a cost ratio per worker cannot
 * be summed, so the primary derives the gauge from the summed counters, and the API reads the
 * same sums whichever worker answers.
 */
describe('cost under --workers 2', () => {
  let dir: string
  let server: PlinthServer | undefined

  before(async () => {
    dir = await makeTempDir('cluster-cost')
    server = await startServer([
      '--log-level', 'warn', '--port', String(await freePort()), '--workers', '2', '--price-per-core-hour', String(PRICE),
      '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), '--artifacts-destination', join(dir, 'artifacts'),
    ])
    writeFileSync(join(dir, 'relu.onnx'), unaryModel('Relu'))
    await okJson(server.url, 'POST', '/api/2.0/mlflow/registered-models/create', { name: 'churn' })
    await okJson(server.url, 'POST', '/api/2.0/mlflow/model-versions/create', { name: 'churn', source: join(dir, 'relu.onnx') })
  })

  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should count every worker\'s predictions and price them from the summed counters', { timeout: 120_000 }, async () => {
    // Several connections at once, so both workers take requests.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < REQUESTS / 4; i++) {
          const response = await requestJson(server!.url, 'POST', '/v2/models/churn/infer', BODY, { connection: 'close' })
          assert.equal(response.status, 200, JSON.stringify(response.body))
        }
      }),
    )
    for (let scrape = 0; scrape < 4; scrape++) {
      const response = await fetch(`${server!.url}/metrics`, { headers: { connection: 'close' } })
      const samples = parseSamples(await response.text(), NAMES).filter((s) => s.labels.model === undefined || s.labels.model === 'churn')
      const value = (name: string) => {
        const found = samples.filter((s) => s.name === name)
        assert.equal(found.length, 1, `${name}: ${JSON.stringify(found)}`)
        return found[0]!.value
      }
      // Each worker loads the model on its first request: two loaded means both served.
      assert.equal(value('plinth_models_loaded'), 2)
      assert.equal(value('plinth_model_predictions_total'), REQUESTS * 2)
      assert.equal(value('plinth_cost_price_per_core_hour'), PRICE)
      const cpu = value('plinth_model_cpu_seconds_total')
      assert.ok(cpu > 0)
      const expected = ((cpu / 3600) * PRICE * 1000) / (REQUESTS * 2)
      assert.ok(Math.abs(value('plinth_cost_per_1000_predictions') - expected) <= 1e-9 * expected, `${value('plinth_cost_per_1000_predictions')} vs ${expected}`)
    }
    const api = await okJson(server!.url, 'GET', '/api/plinth/v1/monitoring/cost?model=churn')
    assert.equal(api.models.length, 1)
    assert.equal(api.models[0].predictions, REQUESTS * 2)
    assert.equal(api.price_per_core_hour, PRICE)
    assert.ok(Math.abs(api.models[0].cost_per_1000 - ((api.models[0].cpu_seconds / 3600) * PRICE * 1000) / (REQUESTS * 2)) <= 1e-9 * api.models[0].cost_per_1000)
  })
})
