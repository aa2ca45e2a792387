import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sampleOnnxModel } from '../../registry/onnx-test-writer.test-helper.js'
import { call as rawCall, createTestApp, type TestApp } from '../../testing/test-services.js'

const API = '/api/2.0/mlflow'
const PLINTH = '/api/plinth/v1'

describe('model registry routes', () => {
  let t: TestApp
  let folder: string
  let modelFile: string
  let runId: string
  const statuses: number[] = []
  const bytes = sampleOnnxModel()
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const call = async (...args: Parameters<typeof rawCall> extends [unknown, ...infer R] ? R : never) => {
    const response = await rawCall(t.app, ...args)
    statuses.push(response.status)
    return response
  }

  before(async () => {
    t = await createTestApp()
    folder = mkdtempSync(join(tmpdir(), 'plinth-registry-'))
    modelFile = join(folder, 'model.onnx')
    writeFileSync(modelFile, bytes)
    const run = await call('POST', `${API}/runs/create`, { experiment_id: '0' })
    runId = run.body.run.info.run_id
    for (const [name, content] of [['model.onnx', bytes], ['MLmodel', Buffer.from('flavors: {onnx: {}}\n')]] as const) {
      const put = await t.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/${name}`, payload: content, headers: { 'content-type': 'application/octet-stream' } })
      assert.equal(put.statusCode, 200, put.body)
    }
  })
  after(async () => {
    await t.close()
    rmSync(folder, { recursive: true, force: true })
    assert.ok(statuses.every((s) => s < 500), `a request answered ${statuses.filter((s) => s >= 500).join(', ')}`)
  })

  it('should create a registered model in MLflow shape and refuse a duplicate with 400', async () => {
    const created = await call('POST', `${API}/registered-models/create`, { name: 'churn', tags: [{ key: 'team', value: 'risk' }], description: 'churn model' })
    assert.equal(created.status, 200)
    const model = created.body.registered_model
    assert.deepEqual(Object.keys(model), ['name', 'creation_timestamp', 'last_updated_timestamp', 'description', 'tags'])
    assert.deepEqual(model.tags, [{ key: 'team', value: 'risk' }])
    const duplicate = await call('POST', `${API}/registered-models/create`, { name: 'churn' })
    assert.equal(duplicate.status, 400)
    assert.deepEqual(duplicate.body, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=churn) already exists.' })
  })

  it('should register a version from a file path, pin its bytes and read its signature', async () => {
    const created = await call('POST', `${API}/model-versions/create`, { name: 'churn', source: modelFile, description: 'first' })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const v = created.body.model_version
    assert.deepEqual([v.name, v.version, v.current_stage, v.status, v.source, v.description], ['churn', '1', 'None', 'READY', modelFile, 'first'])
    assert.equal(v.tags, undefined)
    assert.equal(v.aliases, undefined)
    assert.equal(v.signature, undefined, 'MLflow JSON stays MLflow JSON')
    const detailed = await call('GET', `${PLINTH}/model-versions/get?name=churn&version=1`)
    const mv = detailed.body.model_version
    assert.equal(mv.sha256, sha256)
    assert.equal(mv.size_bytes, bytes.length)
    assert.equal(mv.storage_uri, `mlflow-artifacts:/model-blobs/${sha256}.onnx`)
    assert.deepEqual(mv.signature.inputs, [{ name: 'features', datatype: 'FP32', shape: [-1, 8], dim_params: ['batch', null] }, { name: 'segment', datatype: 'INT64', shape: [1] }])
    assert.deepEqual(mv.signature.outputs.map((o: { name: string }) => o.name), ['score'])
    const blob = await t.app.inject({ method: 'GET', url: `/api/2.0/mlflow-artifacts/artifacts/model-blobs/${sha256}.onnx` })
    assert.ok(Buffer.from(blob.rawPayload).equals(bytes))
    assert.ok((await t.services.registry.openModelBytes('churn', '1')).equals(bytes))
  })

  it('should register a version from runs:/ with version numbers counting up', async () => {
    const created = await call('POST', `${API}/model-versions/create`, { name: 'churn', source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'flavor', value: 'onnx' }] })
    assert.equal(created.status, 200, JSON.stringify(created.body))
    assert.deepEqual([created.body.model_version.version, created.body.model_version.run_id], ['2', runId])
    const uri = await call('GET', `${API}/model-versions/get-download-uri?name=churn&version=2`)
    assert.deepEqual(uri.body, { artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/model` })
    const third = await call('POST', `${API}/model-versions/create`, { name: 'churn', source: `mlflow-artifacts:/0/${runId}/artifacts/model/model.onnx` })
    assert.equal(third.body.model_version.version, '3')
  })

  it('should register models:/ sources from the pinned copy of that version', async () => {
    await call('POST', `${API}/registered-models/create`, { name: 'churn-copy' })
    const copy = await call('POST', `${API}/model-versions/create`, { name: 'churn-copy', source: 'models:/churn/2' })
    assert.equal(copy.status, 200, JSON.stringify(copy.body))
    const detailed = await call('GET', `${PLINTH}/model-versions/get?name=churn-copy&version=1`)
    assert.equal(detailed.body.model_version.sha256, sha256)
    assert.equal(detailed.body.model_version.download_uri, `mlflow-artifacts:/0/${runId}/artifacts/model`)
  })

  it('should set, move and delete aliases, answer get-by-alias and keep the history', async () => {
    for (const [alias, version] of [['champion', '1'], ['champion', '2'], ['challenger', '3']]) {
      const set = await call('POST', `${API}/registered-models/alias`, { name: 'churn', alias, version })
      assert.deepEqual([set.status, set.body], [200, {}])
    }
    const byAlias = await call('GET', `${API}/registered-models/alias?name=churn&alias=champion`)
    assert.deepEqual([byAlias.body.model_version.version, byAlias.body.model_version.aliases], ['2', ['champion']])
    const model = await call('GET', `/ajax-api/2.0/mlflow/registered-models/get?name=churn`)
    assert.deepEqual(model.body.registered_model.aliases, [{ alias: 'challenger', version: '3' }, { alias: 'champion', version: '2' }])
    const deleted = await call('DELETE', `${API}/registered-models/alias`, { name: 'churn', alias: 'challenger' })
    assert.equal(deleted.status, 200)
    const history = await call('GET', `${PLINTH}/registered-models/alias-history?name=churn`)
    assert.deepEqual(history.body.history.map((h: Record<string, string>) => [h.alias, h.from_version, h.to_version, h.user_id]), [
      ['champion', undefined, '1', 'unknown'],
      ['champion', '1', '2', 'unknown'],
      ['challenger', undefined, '3', 'unknown'],
      ['challenger', '3', undefined, 'unknown'],
    ])
    const one = await call('GET', `${PLINTH}/registered-models/alias-history?name=churn&alias=champion`)
    assert.equal(one.body.history.length, 2)
    assert.ok(one.body.history.every((h: { timestamp: number }) => h.timestamp > 1_600_000_000_000))
    const gone = await call('GET', `${API}/registered-models/alias?name=churn&alias=challenger`)
    assert.deepEqual([gone.status, gone.body.error_code, gone.body.message], [400, 'INVALID_PARAMETER_VALUE', 'Registered model alias challenger not found.'])
  })

  it('should refuse MLflow-reserved and malformed alias names', async () => {
    for (const alias of ['latest', 'LATEST', 'v3', 'V12', 'has space', 'a'.repeat(256), '']) {
      const response = await call('POST', `${API}/registered-models/alias`, { name: 'churn', alias, version: '1' })
      assert.equal(response.status, 400, alias)
      assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
    }
    const missing = await call('POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'x', version: '99' })
    assert.deepEqual([missing.status, missing.body.message], [404, 'Model Version (name=churn, version=99) not found'])
  })

  it('should transition stages, archiving the others, and answer get-latest-versions by POST and GET', async () => {
    await call('POST', `${API}/model-versions/transition-stage`, { name: 'churn', version: '1', stage: 'production', archive_existing_versions: false })
    const moved = await call('POST', `${API}/model-versions/transition-stage`, { name: 'churn', version: '2', stage: 'Production', archive_existing_versions: true })
    assert.equal(moved.body.model_version.current_stage, 'Production')
    const old = await call('GET', `${API}/model-versions/get?name=churn&version=1`)
    assert.equal(old.body.model_version.current_stage, 'Archived')
    const posted = await call('POST', `${API}/registered-models/get-latest-versions`, { name: 'churn', stages: ['production'] })
    assert.deepEqual(posted.body.model_versions.map((v: { version: string }) => v.version), ['2'])
    const got = await call('GET', `${API}/registered-models/get-latest-versions?name=churn&stages=None&stages=Archived`)
    assert.deepEqual(got.body.model_versions.map((v: { version: string }) => v.version), ['3', '1'])
    const all = await call('GET', `${API}/registered-models/get?name=churn`)
    assert.deepEqual(all.body.registered_model.latest_versions.map((v: { current_stage: string }) => v.current_stage), ['None', 'Production', 'Archived'])
    const bad = await call('POST', `${API}/model-versions/transition-stage`, { name: 'churn', version: '3', stage: 'Gold', archive_existing_versions: false })
    assert.deepEqual([bad.status, bad.body.error_code], [400, 'INVALID_PARAMETER_VALUE'])
    const archiveNone = await call('POST', `${API}/model-versions/transition-stage`, { name: 'churn', version: '3', stage: 'None', archive_existing_versions: true })
    assert.equal(archiveNone.status, 400)
  })

  it('should search registered models and model versions with filters, order and limits', async () => {
    const models = await call('GET', `${API}/registered-models/search?filter=${encodeURIComponent("name LIKE 'churn%'")}&order_by=name%20DESC`)
    assert.deepEqual(models.body.registered_models.map((m: { name: string }) => m.name), ['churn-copy', 'churn'])
    const tagged = await call('GET', `${API}/registered-models/search?filter=${encodeURIComponent("tags.team = 'risk'")}`)
    assert.deepEqual(tagged.body.registered_models.map((m: { name: string }) => m.name), ['churn'])
    const paged = await call('GET', `${API}/registered-models/search?max_results=1`)
    assert.equal(paged.body.registered_models.length, 1)
    assert.ok(paged.body.next_page_token)
    const tooMany = await call('GET', `${API}/registered-models/search?max_results=1001`)
    assert.equal(tooMany.status, 400)
    const versions = await call('GET', `${API}/model-versions/search?filter=${encodeURIComponent(`run_id IN ('${runId}') and name = 'churn'`)}`)
    assert.deepEqual(versions.body.model_versions.map((v: { version: string }) => v.version), ['2'])
    const byTag = await call('GET', `${API}/model-versions/search?filter=${encodeURIComponent("tags.flavor = 'onnx'")}`)
    assert.equal(byTag.body.model_versions.length, 1)
    const newer = await call('GET', `${API}/model-versions/search?filter=${encodeURIComponent("name = 'churn' and version_number >= 2")}&order_by=version_number%20ASC`)
    assert.deepEqual(newer.body.model_versions.map((v: { version: string }) => v.version), ['2', '3'])
    const none = await call('GET', `${API}/model-versions/search?filter=${encodeURIComponent("name = 'nothing'")}`)
    assert.deepEqual(none.body, {})
    const badFilter = await call('GET', `${API}/model-versions/search?filter=${encodeURIComponent('metrics.x > 1')}`)
    assert.equal(badFilter.status, 400)
  })

  it('should link runs and model versions both ways', async () => {
    const fromRun = await call('GET', `${PLINTH}/lineage?run_id=${runId}`)
    assert.deepEqual(fromRun.body.model_versions.map((v: { name: string; version: string }) => `${v.name}/${v.version}`), ['churn/2'])
    const toRun = await call('GET', `${PLINTH}/lineage?model=churn&version=2`)
    assert.equal(toRun.body.run.info.run_id, runId)
    assert.equal(toRun.body.model_version.sha256, sha256)
    const noRun = await call('GET', `${PLINTH}/lineage?model=churn&version=1`)
    assert.deepEqual([noRun.status, noRun.body.run], [200, undefined])
    assert.equal((await call('GET', `${PLINTH}/lineage`)).status, 400)
    assert.equal((await call('GET', `${PLINTH}/lineage?run_id=${'0'.repeat(32)}`)).status, 404)
  })

  it('should update, tag, rename and delete through PATCH and DELETE with JSON bodies', async () => {
    const patched = await call('PATCH', `${API}/model-versions/update`, { name: 'churn', version: '3', description: 'third' })
    assert.equal(patched.body.model_version.description, 'third')
    const updated = await call('PATCH', `${API}/registered-models/update`, { name: 'churn', description: 'new words' })
    assert.equal(updated.body.registered_model.description, 'new words')
    await call('POST', `${API}/model-versions/set-tag`, { name: 'churn', version: '3', key: 'k', value: 'v' })
    await call('POST', `${API}/registered-models/set-tag`, { name: 'churn', key: 'owner', value: 'ana' })
    assert.deepEqual((await call('GET', `${API}/model-versions/get?name=churn&version=3`)).body.model_version.tags, [{ key: 'k', value: 'v' }])
    assert.equal((await call('DELETE', `${API}/model-versions/delete-tag`, { name: 'churn', version: '3', key: 'k' })).status, 200)
    assert.equal((await call('DELETE', `${API}/registered-models/delete-tag`, { name: 'churn', key: 'owner' })).status, 200)
    assert.equal((await call('GET', `${API}/model-versions/get?name=churn&version=3`)).body.model_version.tags, undefined)
    const renamed = await call('POST', `${API}/registered-models/rename`, { name: 'churn', new_name: 'attrition' })
    assert.equal(renamed.body.registered_model.name, 'attrition')
    assert.equal((await call('GET', `${API}/registered-models/alias?name=attrition&alias=champion`)).body.model_version.version, '2')
    assert.equal((await call('DELETE', `${API}/model-versions/delete`, { name: 'attrition', version: '2' })).status, 200)
    assert.equal((await call('GET', `${API}/model-versions/get?name=attrition&version=2`)).status, 404)
    const next = await call('POST', `${API}/model-versions/create`, { name: 'attrition', source: modelFile })
    assert.equal(next.body.model_version.version, '4')
    assert.equal((await call('DELETE', `${API}/registered-models/delete`, { name: 'attrition' })).status, 200)
    assert.equal((await call('GET', `${API}/registered-models/get?name=attrition`)).status, 404)
    const history = await call('GET', `${PLINTH}/registered-models/alias-history?name=attrition&alias=champion`)
    assert.deepEqual(history.body.history.at(-1).to_version, undefined)
  })
})
