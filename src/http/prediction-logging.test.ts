import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createPredictionLogging } from '../app/prediction-logging.js'
import { resolveConfig } from '../config/index.js'
import { registerModels, unaryModel, v2Body } from '../inference/serving-fixtures.test-helper.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { openSqliteDatabase } from '../storage/sqlite/sqlite-database.js'
import { migrateToLatest } from '../storage/sql/schema-migrator.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { createModelServerApp } from './model-server-app.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Serving on `plinth server` logs every request that reached a model, under the id it returns. */
describe('prediction logging on the inference routes', () => {
  let t: TestApp
  const logged = async (id: string) => {
    await t.services.predictionLogs.flush()
    return (await t.services.predictionLogs.getMany([id]))[0]
  }
  before(async () => {
    t = await createTestApp()
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Neg')], { champion: 2 })
    await call(t.app, 'POST', '/api/plinth/v1/deployments', { name: 'churn-api', routes: [{ model: 'churn', alias: 'champion', weight: 100 }] })
  })
  after(() => t.close())

  it('should make an id, return it in the header and as the V2 id, and log inputs and outputs by column', async () => {
    const response = await call(t.app, 'POST', '/v2/models/churn/versions/2/infer', v2Body([[1, 2, 3, 4], [5, 6, 7, 8]]))
    assert.equal(response.status, 200)
    const id = response.headers['x-prediction-id'] as string
    assert.match(id, UUID)
    assert.equal(response.body.id, id)
    const log = await logged(id)
    assert.ok(log && log.latencyMs >= 0 && Math.abs(log.time - Date.now()) < 60_000)
    assert.deepEqual({ ...log, time: 0, latencyMs: 0 }, {
      predictionId: id, model: 'churn', version: '2', time: 0, rows: 2, latencyMs: 0,
      inputs: { 'x[0]': [1, 5], 'x[1]': [2, 6], 'x[2]': [3, 7], 'x[3]': [4, 8] },
      outputs: { 'y[0]': [-1, -5], 'y[1]': [-2, -6], 'y[2]': [-3, -7], 'y[3]': [-4, -8] },
    })
  })

  it('should log under the caller’s V2 id or X-Prediction-Id header, with the deployment', async () => {
    const v2 = await call(t.app, 'POST', '/v2/models/churn-api/infer', v2Body([[1, 1, 1, 1]], { id: 'order-17' }))
    assert.equal(v2.body.id, 'order-17')
    assert.equal(v2.headers['x-prediction-id'], 'order-17')
    assert.equal((await logged('order-17'))?.deployment, 'churn-api')
    const v1 = await call(t.app, 'POST', '/v1/models/churn:predict', { instances: [[1, 2, 3, 4]] }, { 'x-prediction-id': 'v1-call' })
    assert.equal(v1.status, 200)
    assert.equal(v1.headers['x-prediction-id'], 'v1-call')
    const log = await logged('v1-call')
    assert.deepEqual([log?.model, log?.version, log?.deployment, log?.outputs['y[0]']], ['churn', '2', undefined, [-1]])
  })

  it('should log a request that reached a model and failed, with its error code', async () => {
    const response = await call(t.app, 'POST', '/v2/models/churn/infer', { id: 'bad-shape', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] })
    assert.equal(response.status, 400)
    assert.equal(response.headers['x-prediction-id'], 'bad-shape')
    const log = await logged('bad-shape')
    assert.deepEqual([log?.error, log?.rows, log?.outputs], ['INVALID_PARAMETER_VALUE', 0, {}])
  })

  it('should not log a request for a model that does not exist', async () => {
    const response = await call(t.app, 'POST', '/v2/models/nope/infer', v2Body([[1, 2, 3, 4]], { id: 'no-model' }))
    assert.equal(response.status, 404)
    assert.equal(await logged('no-model'), undefined)
  })

  it('should refuse a prediction id that is too long or not printable, saying so', async () => {
    for (const id of ['x'.repeat(65), 'has space', 'tab\there', '']) {
      const response = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([[1, 2, 3, 4]], { id }))
      assert.equal(response.status, 400, id)
      assert.match(response.body.error, /"id" must be 1 to 64 visible ASCII characters/)
    }
    const header = await call(t.app, 'POST', '/v1/models/churn:predict', { instances: [[1, 2, 3, 4]] }, { 'x-prediction-id': 'é'.repeat(3) })
    assert.equal(header.status, 400)
    assert.match(header.body.error, /X-Prediction-Id header must be/)
  })

  it('should export the logging metrics', async () => {
    await t.services.predictionLogs.flush()
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
    assert.match(text, /plinth_prediction_logs_total\{outcome="logged"\} [1-9]/)
    assert.match(text, /plinth_prediction_log_buffer_records 0/)
  })
})

describe('prediction logging switched off', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp({ predictionLogging: false })
    await registerModels(t.services, 'churn', [unaryModel('Identity')])
  })
  after(() => t.close())

  it('should still return a prediction id but store nothing', async () => {
    const response = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([[1, 2, 3, 4]]))
    assert.match(response.headers['x-prediction-id'] as string, UUID)
    await t.services.predictionLogs.flush()
    assert.deepEqual((await t.services.predictionLogs.list({})).items, [])
  })
})

describe('prediction logging on the one-model server', () => {
  it('should log /invocations, /v2 and /v1 requests', async () => {
    const database = openSqliteDatabase(':memory:')
    await migrateToLatest(database)
    const config = resolveConfig({ backendStoreUri: 'sqlite:///:memory:' }, {})
    const metrics = new PlinthMetrics()
    const logging = createPredictionLogging(database, config, metrics)
    const { app } = await createModelServerApp({ name: 'churn', version: 3, bytes: unaryModel('Neg') }, config, false, { metrics, predictions: logging.service.sink! })
    try {
      const scoring = await app.inject({ method: 'POST', url: '/invocations', payload: 'a,b,c,d\n1,2,3,4\n', headers: { 'content-type': 'text/csv', 'x-prediction-id': 'csv-1' } })
      assert.equal(scoring.statusCode, 200)
      assert.equal(scoring.headers['x-prediction-id'], 'csv-1')
      await call(app, 'POST', '/v2/models/churn/infer', v2Body([[1, 2, 3, 4]], { id: 'v2-1' }))
      await call(app, 'POST', '/v1/models/churn:predict', { instances: [[1, 2, 3, 4]] }, { 'x-prediction-id': 'v1-1' })
      await logging.service.flush()
      const logs = await logging.service.getMany(['csv-1', 'v2-1', 'v1-1'])
      assert.deepEqual(logs.map((l) => [l.predictionId, l.model, l.version, l.outputs['y[3]']]).sort(), [['csv-1', 'churn', '3', [-4]], ['v1-1', 'churn', '3', [-4]], ['v2-1', 'churn', '3', [-4]]])
    } finally {
      await app.close()
      await logging.service.close()
      await database.close()
    }
  })
})
