import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { onnxModel, sampleOnnxModel } from '../../registry/onnx-test-writer.test-helper.js'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'

const API = '/api/2.0/mlflow'
const PLINTH = '/api/plinth/v1'

describe('model registry errors and serving lookups', () => {
  let t: TestApp
  let folder: string
  const create = (source: string, name = 'm') => call(t.app, 'POST', `${API}/model-versions/create`, { name, source })

  before(async () => {
    t = await createTestApp()
    folder = mkdtempSync(join(tmpdir(), 'plinth-registry-'))
    writeFileSync(join(folder, 'model.onnx'), sampleOnnxModel())
    writeFileSync(join(folder, 'notes.txt'), 'just text, not a model\n')
    mkdirSync(join(folder, 'two'))
    writeFileSync(join(folder, 'two', 'a.onnx'), sampleOnnxModel())
    writeFileSync(join(folder, 'two', 'b.onnx'), sampleOnnxModel('other'))
    mkdirSync(join(folder, 'mlflow-model', 'data'), { recursive: true })
    writeFileSync(join(folder, 'mlflow-model', 'MLmodel'), 'flavors: {}\n')
    writeFileSync(join(folder, 'mlflow-model', 'data', 'model.onnx'), sampleOnnxModel('nested'))
    assert.equal((await call(t.app, 'POST', `${API}/registered-models/create`, { name: 'm' })).status, 200)
  })
  after(async () => {
    await t.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should answer 404 for unknown models and versions, in MLflow words', async () => {
    const model = await call(t.app, 'GET', `${API}/registered-models/get?name=ghost`)
    assert.deepEqual([model.status, model.body], [404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=ghost not found' }])
    assert.equal((await create(join(folder, 'model.onnx'), 'ghost')).status, 404)
    const version = await call(t.app, 'GET', `${API}/model-versions/get?name=m&version=7`)
    assert.deepEqual([version.status, version.body.message], [404, 'Model Version (name=m, version=7) not found'])
    assert.equal((await call(t.app, 'DELETE', `${API}/registered-models/delete`, { name: 'ghost' })).status, 404)
    assert.equal((await call(t.app, 'GET', `${API}/model-versions/get?name=m&version=x`)).status, 400)
  })

  it('should refuse a file that is not an ONNX model with 400 and the reason', async () => {
    const response = await create(join(folder, 'notes.txt'))
    assert.equal(response.status, 400)
    assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
    assert.match(response.body.message, /^Model source '.*notes\.txt' is not a loadable ONNX model: /)
    const noInputs = join(folder, 'constant.onnx')
    writeFileSync(noInputs, onnxModel({ inputs: [], outputs: [{ name: 'y', elemType: 1 }] }))
    assert.match((await create(noInputs)).body.message, /no inputs/)
  })

  it('should answer 404 for a missing source and 400 for a missing source parameter', async () => {
    assert.equal((await create(join(folder, 'absent.onnx'))).status, 404)
    assert.equal((await create(`runs:/${'f'.repeat(32)}/model`)).status, 404)
    assert.equal((await create('mlflow-artifacts:/0/nothing/here')).status, 404)
    const missing = await call(t.app, 'POST', `${API}/model-versions/create`, { name: 'm' })
    assert.deepEqual([missing.status, missing.body.error_code], [400, 'INVALID_PARAMETER_VALUE'])
    assert.equal((await create('s3://bucket/model.onnx')).status, 400)
    assert.equal((await create('models:/m')).status, 400)
  })

  it('should pick the one .onnx of an MLflow model folder and refuse folders with several', async () => {
    const nested = await create(join(folder, 'mlflow-model'))
    assert.equal(nested.status, 200, JSON.stringify(nested.body))
    const several = await create(join(folder, 'two'))
    assert.equal(several.status, 400)
    assert.match(several.body.message, /2 \.onnx files \(.*a\.onnx, .*b\.onnx\)/)
  })

  it('should resolve models:/ URIs by version, alias, stage and latest for serving', async () => {
    const registry = t.services.registry
    const second = await create(join(folder, 'model.onnx'))
    assert.equal(second.body.model_version.version, '2')
    await registry.setAlias('m', 'champion', '1')
    await registry.transitionModelVersionStage('m', '2', 'Staging', false)
    const byAlias = await registry.resolveModelUri('models:/m@champion')
    assert.deepEqual([byAlias.version, byAlias.alias, byAlias.signature.producerName], [1, 'champion', 'nested'])
    assert.equal((await registry.resolveModelUri('models:/m/2')).version, 2)
    assert.equal((await registry.resolveModelUri('models:/m/staging')).version, 2)
    assert.equal((await registry.resolveModelUri('models:/m/latest')).version, 2)
    const resolved = await registry.resolveModelUri('models:/m/1')
    assert.match(resolved.storageUri, /^mlflow-artifacts:\/model-blobs\/[0-9a-f]{64}\.onnx$/)
    assert.equal((await registry.openModelBytes('m', 1)).length, sampleOnnxModel('nested').length)
    await assert.rejects(registry.resolveModelUri('models:/m/Production'), { code: 'RESOURCE_DOES_NOT_EXIST' })
    await assert.rejects(registry.resolveModelUri('models:/m@nobody'), { code: 'INVALID_PARAMETER_VALUE' })
    await assert.rejects(registry.resolveModelUri('runs:/x'), { code: 'INVALID_PARAMETER_VALUE' })
  })

  it('should refuse to serve pinned bytes that changed behind the registry', async () => {
    const { storageUri } = await t.services.registry.resolveModelUri('models:/m/1')
    const put = await t.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${storageUri.slice('mlflow-artifacts:/'.length)}`, payload: Buffer.from('tampered') })
    assert.equal(put.statusCode, 200)
    await assert.rejects(t.services.registry.openModelBytes('m', 1), { code: 'INTERNAL_ERROR' })
  })

  it('should answer unknown registry routes and methods with JSON 404s', async () => {
    const response = await call(t.app, 'POST', `${API}/registered-models/get`, { name: 'm' })
    assert.equal(response.status, 404)
    assert.equal(response.body.error_code, 'ENDPOINT_NOT_FOUND')
  })

  describe('on a server with --auth', () => {
    let secured: TestApp
    let editor: Record<string, string>

    before(async () => {
      secured = await createTestApp({ auth: true })
      editor = { authorization: `Bearer ${(await secured.services.auth.createToken({ name: 'release-bot', role: 'editor' })).secret}` }
      await call(secured.app, 'POST', `${API}/registered-models/create`, { name: 'm' }, editor)
    })
    after(() => secured.close())

    it('should not read paths on the server disk and should record who moved an alias', async () => {
      const local = await call(secured.app, 'POST', `${API}/model-versions/create`, { name: 'm', source: join(folder, 'model.onnx') }, editor)
      assert.equal(local.status, 400)
      assert.match(local.body.message, /does not read/)
      const run = await call(secured.app, 'POST', `${API}/runs/create`, { experiment_id: '0' }, editor)
      const runId = run.body.run.info.run_id
      const put = await secured.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/model.onnx`, payload: sampleOnnxModel(), headers: editor })
      assert.equal(put.statusCode, 200)
      const created = await call(secured.app, 'POST', `${API}/model-versions/create`, { name: 'm', source: `runs:/${runId}/model`, run_id: runId }, editor)
      assert.deepEqual([created.status, created.body.model_version.user_id], [200, 'release-bot'])
      await call(secured.app, 'POST', `${API}/registered-models/alias`, { name: 'm', alias: 'prod', version: '1' }, editor)
      const history = await call(secured.app, 'GET', `${PLINTH}/registered-models/alias-history?name=m`, undefined, editor)
      assert.deepEqual(history.body.history.map((h: { user_id: string }) => h.user_id), ['release-bot'])
    })
  })
})
