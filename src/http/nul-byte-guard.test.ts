import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'

describe('NUL characters in requests', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(async () => {
    await t.close()
  })

  it('should refuse a NUL in a path parameter with 400 naming the parameter', async () => {
    const response = await call(t.app, 'GET', '/api/plinth/v1/deployments/a%00b')
    assert.equal(response.status, 400, JSON.stringify(response.body))
    assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
    assert.match(response.body.message, /path parameter 'name'.*NUL/)
  })

  it('should refuse a NUL in a query parameter with 400 naming the parameter', async () => {
    const response = await call(t.app, 'GET', '/api/2.0/mlflow/registered-models/get?name=%00')
    assert.equal(response.status, 400)
    assert.match(response.body.message, /query parameter 'name'/)
  })

  it('should refuse a NUL nested in a JSON body with 400 naming the field path', async () => {
    const run = await call(t.app, 'POST', '/api/2.0/mlflow/runs/create', {})
    const runId = run.body.run.info.run_id
    const response = await call(t.app, 'POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, tags: [{ key: 'ok', value: 'fine' }, { key: 'k', value: 'a\u0000b' }] })
    assert.equal(response.status, 400)
    assert.match(response.body.message, /'tags\[1\]\.value'/)
  })

  it('should still accept ordinary text with unicode', async () => {
    const response = await call(t.app, 'POST', '/api/2.0/mlflow/experiments/create', { name: 'ünïcödé 😀' })
    assert.equal(response.status, 200, JSON.stringify(response.body))
  })
})
