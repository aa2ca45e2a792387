import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { makeTempDir, okJson, removeTempDir, requestJson, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'
import { S3RVER_CREDENTIALS, S3rverInstance } from './s3rver-instance.test-helper.js'

const API = '/api/2.0/mlflow'
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts'
/** Short, so the stalled-store case (a timeout per SDK attempt) stays quick. */
const S3_REQUEST_TIMEOUT_MS = 1500
const INFER_BODY = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }

interface Answer {
  status: number
  code: unknown
  message: unknown
}

async function answer(response: Promise<Response>): Promise<Answer> {
  const res = await response
  const text = await res.text()
  let body: any = {}
  try {
    body = JSON.parse(text)
  } catch {
    // A download answers the bytes.
  }
  return { status: res.status, code: body.error_code, message: body.message ?? body.error }
}

/**
 * The artifact store going away is an outage with a clear answer, not a crash or a 500: uploads,
 * downloads, listings and model loads say 503 TEMPORARILY_UNAVAILABLE and name the store; once it
 * is back the same requests work, with no server restart.
 */
describe('an S3 artifact store that becomes unreachable', () => {
  const s3 = new S3rverInstance()
  const bucket = `plinth-outage-${process.pid}`
  let dir: string
  let server: PlinthServer | undefined
  let base: string
  let root: string
  let runId: string

  before(async () => {
    dir = await makeTempDir('s3-outage')
    await s3.start()
    await s3.createBucket(bucket)
    server = await startServer(['--port', '0', '--log-level', 'error', '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), '--artifacts-destination', `s3://${bucket}/artifacts`], {
      env: { PLINTH_S3_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1', PLINTH_S3_REQUEST_TIMEOUT_MS: String(S3_REQUEST_TIMEOUT_MS) },
    })
    base = server.url
    const { experiment_id: experimentId } = await okJson(base, 'POST', `${API}/experiments/create`, { name: 'outage' })
    const { run } = await okJson(base, 'POST', `${API}/runs/create`, { experiment_id: experimentId })
    runId = run.info.run_id
    root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\//, '')
    assert.equal((await fetch(`${base}${ARTIFACTS}/${root}/before.txt`, { method: 'PUT', body: 'stored before' })).status, 200)
    writeFileSync(join(dir, 'identity.onnx'), unaryModel('Identity'))
    await okJson(base, 'POST', `${API}/registered-models/create`, { name: 'churn' })
    // Registered while the store is up, first loaded (for inference) while it is down.
    await okJson(base, 'POST', `${API}/model-versions/create`, { name: 'churn', source: join(dir, 'identity.onnx') })
  })
  after(async () => {
    await server?.stop()
    await s3.dispose()
    await removeTempDir(dir)
  })

  const probes = (model = 'churn') => ({
    upload: () => answer(fetch(`${base}${ARTIFACTS}/${root}/during.txt`, { method: 'PUT', body: 'written' })),
    download: () => answer(fetch(`${base}${ARTIFACTS}/${root}/before.txt`)),
    proxiedList: () => answer(fetch(`${base}${ARTIFACTS}?path=${encodeURIComponent(root)}`)),
    runList: () => answer(fetch(`${base}${API}/artifacts/list?run_id=${runId}`)),
    modelLoad: async () => {
      const response = await requestJson(base, 'POST', `/v2/models/${model}/infer`, INFER_BODY)
      return { status: response.status, code: response.body?.error_code, message: response.body?.error ?? response.body?.message }
    },
  })

  async function assertAllUnavailable(when: string, model?: string): Promise<void> {
    for (const [name, probe] of Object.entries(probes(model))) {
      const result = await probe()
      assert.equal(result.status, 503, `${name} while the store is ${when}: ${JSON.stringify(result)}`)
      assert.equal(result.code, 'TEMPORARILY_UNAVAILABLE', `${name}: ${JSON.stringify(result)}`)
      assert.match(String(result.message), /Artifact store s3:\/\/.* unreachable/, `${name}: ${JSON.stringify(result)}`)
    }
    assert.equal(server!.child.exitCode, null, 'the server is still running')
  }

  it('should answer 503 TEMPORARILY_UNAVAILABLE naming the store while it is down, then work again once it is back', { timeout: 180_000 }, async () => {
    await s3.stop()
    await assertAllUnavailable('down')

    await s3.start()
    for (const [name, probe] of Object.entries(probes())) {
      const result = await retryWhile503(probe)
      assert.equal(result.status, 200, `${name} once the store is back: ${JSON.stringify(result)}`)
    }
    const listed = await okJson(base, 'GET', `${API}/artifacts/list?run_id=${runId}`)
    assert.deepEqual(listed.files.map((f: { path: string }) => f.path).sort(), ['before.txt', 'during.txt'])
  })

  it('should answer 503 within the request timeout when the store accepts connections but stops answering', { timeout: 180_000 }, async () => {
    // A model not loaded yet, so inference must fetch it from the stalled store.
    await okJson(base, 'POST', `${API}/registered-models/create`, { name: 'churn-stalled' })
    await okJson(base, 'POST', `${API}/model-versions/create`, { name: 'churn-stalled', source: join(dir, 'identity.onnx') })
    s3.stall(true)
    try {
      await assertAllUnavailable('stalled', 'churn-stalled')
    } finally {
      s3.stall(false)
    }
    const result = await retryWhile503(probes().download)
    assert.equal(result.status, 200, JSON.stringify(result))
  })
})

/** A model in load backoff may answer 503 with Retry-After for a moment after the store is back. */
async function retryWhile503(probe: () => Promise<Answer>): Promise<Answer> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const result = await probe()
    if (result.status !== 503 || Date.now() > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
