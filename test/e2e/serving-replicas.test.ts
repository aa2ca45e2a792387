import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { openPostgresSchema } from '../../src/storage/contract/test-databases.js'
import { makeTempDir, okJson, removeTempDir, requestJson, startServer, type PlinthServer } from './plinth-process.test-helper.js'

const POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL
const API = '/api/2.0/mlflow'
const ROW = [1, -2, 3, -4]
const BODY = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] }

/**
 * Two `plinth server` replicas on one PostgreSQL schema and one artifact folder, as behind a load
 * balancer: a change made through one is served by the other within two seconds, without a
 * failed request on either.
 */
describe('serving replicas on one PostgreSQL', { skip: POSTGRES_URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)' }, () => {
  let dir: string
  let cleanup: () => Promise<void>
  let a: PlinthServer
  let b: PlinthServer

  before(async () => {
    dir = await makeTempDir('replicas')
    const schema = await openPostgresSchema(POSTGRES_URL!)
    cleanup = schema.cleanup
    const args = ['--port', '0', '--backend-store-uri', schema.uri, '--artifacts-destination', join(dir, 'artifacts'), '--log-level', 'warn']
    ;[a, b] = await Promise.all([startServer(args), startServer(args)])
    writeFileSync(join(dir, 'identity.onnx'), unaryModel('Identity'))
    writeFileSync(join(dir, 'neg.onnx'), unaryModel('Neg'))
    await okJson(a.url, 'POST', `${API}/registered-models/create`, { name: 'churn' })
    for (const file of ['identity.onnx', 'neg.onnx']) await okJson(a.url, 'POST', `${API}/model-versions/create`, { name: 'churn', source: join(dir, file) })
    await okJson(a.url, 'POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion', version: '1' })
  })
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await cleanup?.()
    await removeTempDir(dir)
  })

  it('should serve on replica B, within 2 s and without a failed request, an alias moved through replica A', async () => {
    for (const server of [a, b]) {
      const response = await requestJson(server.url, 'POST', '/v2/models/churn/infer', BODY)
      assert.equal(response.status, 200, JSON.stringify(response.body))
      assert.equal(response.body.model_version, '1')
    }
    // B serves steady traffic throughout, so the move happens under load.
    const statuses: number[] = []
    let stop = false
    const load = (async () => {
      while (!stop) statuses.push((await requestJson(b.url, 'POST', '/v2/models/churn/infer', BODY)).status)
    })()

    await okJson(a.url, 'POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion', version: '2' })
    const moved = performance.now()
    let seenAfter = Infinity
    while (performance.now() - moved < 5000) {
      const response = await requestJson(b.url, 'POST', '/v2/models/churn/infer', BODY)
      if (response.status === 200 && response.body.model_version === '2') {
        assert.deepEqual(response.body.outputs[0].data, ROW.map((v) => -v))
        seenAfter = performance.now() - moved
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    // When B picks up version 2 at once, the load may not have run long yet: let it go on past
    // the move until it has served enough requests to say traffic flowed throughout.
    while (statuses.length <= 10 && performance.now() - moved < 10_000) await new Promise((resolve) => setTimeout(resolve, 25))
    stop = true
    await load
    // One 1 s poll plus loading version 2; the rest is slack for a loaded CI machine, where a
    // second's poll and the model load can each be late by a second.
    assert.ok(seenAfter < 5000, `replica B served version 2 only after ${seenAfter.toFixed(0)} ms`)
    assert.ok(statuses.length > 10)
    assert.deepEqual([...new Set(statuses)], [200])
  })
})
