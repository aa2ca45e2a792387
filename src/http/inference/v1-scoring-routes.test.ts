import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { resolveConfig } from '../../config/index.js'
import { unaryModel } from '../../inference/serving-fixtures.test-helper.js'
import { call } from '../../testing/test-services.js'
import { createModelServerApp } from '../model-server-app.js'

const NEGATED = [[-1, -2, -3, -4], [-5, -6, -7, -8]]

/** The app of `plinth serve -m` on a model that negates a [batch, 4] FP32 input. */
describe('the one-model server: MLflow scoring and KServe V1', () => {
  let app: FastifyInstance
  before(async () => {
    const config = resolveConfig({}, {})
    app = (await createModelServerApp({ name: 'churn', version: 3, bytes: unaryModel('Neg') }, config)).app
    await app.ready()
  })
  after(() => app.close())

  const invoke = (body: unknown, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/invocations', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': contentType } })

  it('should score every MLflow JSON format and CSV alike', async () => {
    const bodies: Array<[unknown, string?]> = [
      [{ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: [[1, 2, 3, 4], [5, 6, 7, 8]] } }],
      [{ dataframe_split: { index: [0, 1], columns: ['a', 'b', 'c', 'd'], data: [[1, 2, 3, 4], [5, 6, 7, 8]] } }],
      [{ dataframe_records: [{ a: 1, b: 2, c: 3, d: 4 }, { a: 5, b: 6, c: 7, d: 8 }] }],
      [{ instances: [[1, 2, 3, 4], [5, 6, 7, 8]] }],
      [{ inputs: [[1, 2, 3, 4], [5, 6, 7, 8]] }],
      [{ inputs: { x: [[1, 2, 3, 4], [5, 6, 7, 8]] } }],
      ['a,b,c,d\n1,2,3,4\n5,6,7,8\n', 'text/csv'],
      ['a,b,c,d\r\n1,2,3,4\r\n5,6,7,8', 'text/csv; charset=utf-8'],
    ]
    for (const [body, type] of bodies) {
      const response = await invoke(body, type)
      assert.equal(response.statusCode, 200, `${JSON.stringify(body)} → ${response.body}`)
      assert.deepEqual(JSON.parse(response.body), { predictions: NEGATED })
    }
  })

  it('should answer MLflow-shaped errors for bad input and other content types', async () => {
    const bad = await invoke({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2, 3]] } })
    assert.equal(bad.statusCode, 400)
    assert.equal(JSON.parse(bad.body).error_code, 'INVALID_PARAMETER_VALUE')
    assert.match(JSON.parse(bad.body).message, /input 'x' has shape \[-1, 4\]; the table gives 1 rows of 3 columns/)
    const both = await invoke({ instances: [[1, 2, 3, 4]], inputs: [[1, 2, 3, 4]] })
    assert.match(JSON.parse(both.body).message, /exactly one of/)
    const text = await invoke('hello', 'text/plain')
    assert.equal(text.statusCode, 415)
    assert.deepEqual(Object.keys(JSON.parse(text.body)), ['error_code', 'message'])
    assert.match(JSON.parse(text.body).message, /application\/json or text\/csv/)
  })

  it('should answer /ping, /health and /version', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/ping' })).statusCode, 200)
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
    assert.match((await app.inject({ method: 'GET', url: '/version' })).body, /^\d+\.\d+\.\d+/)
  })

  it('should serve KServe V1: list, readiness and predict with instances or inputs', async () => {
    assert.deepEqual((await call(app, 'GET', '/v1/models')).body, { models: ['churn'] })
    assert.deepEqual((await call(app, 'GET', '/v1/models/churn')).body, { name: 'churn', ready: true })
    const instances = await call(app, 'POST', '/v1/models/churn:predict', { instances: [[1, 2, 3, 4], [5, 6, 7, 8]] })
    assert.deepEqual(instances.body, { predictions: NEGATED })
    const inputs = await call(app, 'POST', '/v1/models/churn:predict', { inputs: { x: [[1, 2, 3, 4]] } })
    assert.deepEqual(inputs.body, { predictions: [NEGATED[0]] })
    const explain = await call(app, 'POST', '/v1/models/churn:explain', { instances: [[1, 2, 3, 4]] })
    assert.equal(explain.status, 404)
    assert.match(explain.body.error, /no explainers/)
    const unknown = await call(app, 'POST', '/v1/models/fraud:predict', { instances: [[1, 2, 3, 4]] })
    assert.equal(unknown.status, 404)
    assert.match(unknown.body.error, /serves one model, 'churn'/)
    const badShape = await call(app, 'POST', '/v1/models/churn:predict', { instances: [[1, 2]] })
    assert.equal(badShape.status, 400)
    assert.match(badShape.body.error, /input 'x'/)
  })

  it('should serve the model over V2 under its name and version', async () => {
    const response = await call(app, 'POST', '/v2/models/churn/versions/3/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] })
    assert.equal(response.status, 200)
    assert.equal(response.body.model_version, '3')
    assert.equal((await call(app, 'GET', '/v2/models/churn/versions/2')).status, 404)
    assert.deepEqual((await call(app, 'GET', '/v2/models/churn')).body.versions, ['3'])
  })

  it('should count each protocol in /metrics', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    for (const protocol of ['mlflow', 'v1', 'v2']) {
      assert.match(text, new RegExp(`plinth_inference_requests_total\\{model="churn",version="3",deployment="",protocol="${protocol}",outcome="ok"\\} [1-9]`))
    }
  })
})
