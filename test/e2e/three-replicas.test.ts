import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { openPostgresSchema } from '../../src/storage/contract/test-databases.js'
import { freePort, makeTempDir, okJson, removeTempDir, requestJson, startServer, type PlinthServer } from './plinth-process.test-helper.js'
import { EXPECTED_OUTPUT, INFER_BODY, missingWrites, startLoad } from './replica-load.test-helper.js'
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.test-helper.js'

const POSTGRES_URL = process.env.PLINTH_TEST_POSTGRES_URL
const S3_ENDPOINT = process.env.PLINTH_TEST_S3_ENDPOINT
const API = '/api/2.0/mlflow'
const REPLICAS = 3
const KILLED = 1
const LOAD_WORKERS = 4
// s3rver's built-in account.
const S3_ENV = { PLINTH_S3_ENDPOINT_URL: S3_ENDPOINT ?? '', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' }
const skip = !POSTGRES_URL
  ? 'PLINTH_TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)'
  : !S3_ENDPOINT
    ? 'PLINTH_TEST_S3_ENDPOINT is not set: start one with `node scripts/start-s3rver.mjs 4569 &` and set PLINTH_TEST_S3_ENDPOINT=http://127.0.0.1:4569'
    : undefined

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not met in ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** Polls one replica directly until it serves `version` of the alias; the time it took, in ms. */
async function timeUntilServed(base: string, version: string, since: number): Promise<number> {
  while (performance.now() - since < 15_000) {
    const answer = await requestJson(base, 'POST', '/v2/models/churn/infer', INFER_BODY)
    if (answer.status === 200 && answer.body.model_version === version) {
      assert.deepEqual(answer.body.outputs[0].data, EXPECTED_OUTPUT[version])
      return performance.now() - since
    }
    await sleep(20)
  }
  return Infinity
}

/**
 * Three `plinth server` replicas on one PostgreSQL schema and one S3 bucket behind a round-robin
 * proxy, under steady inference and tracking traffic: an alias move reaches every replica, a
 * `kill -9` fails only the requests that replica had in flight and loses no acknowledged write,
 * and the replica restarted on its port takes traffic again.
 */
describe('three replicas behind a round-robin proxy', { skip }, () => {
  const bucket = `plinth-replicas-${process.pid}-${Date.now().toString(36)}`
  const s3 = new S3Client({ endpoint: S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })
  const servers: PlinthServer[] = []
  let args: (port: number) => string[]
  let ports: number[]
  let dir: string
  let cleanup: () => Promise<void>
  let proxy: RoundRobinProxy
  let load: ReturnType<typeof startLoad>
  let runId: string
  let killedAt = 0

  before(async () => {
    dir = await makeTempDir('three-replicas')
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    const schema = await openPostgresSchema(POSTGRES_URL!)
    cleanup = schema.cleanup
    args = (port) => ['--port', String(port), '--backend-store-uri', schema.uri, '--artifacts-destination', `s3://${bucket}/artifacts`, '--log-level', 'warn']
    ports = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()))
    // Started one after another: three cold starts at once on a shared 2-core machine only slow each other.
    for (const port of ports) servers.push(await startServer(args(port), { env: S3_ENV }))
    const [first] = servers as [PlinthServer]
    writeFileSync(join(dir, 'identity.onnx'), unaryModel('Identity'))
    writeFileSync(join(dir, 'neg.onnx'), unaryModel('Neg'))
    await okJson(first.url, 'POST', `${API}/registered-models/create`, { name: 'churn' })
    for (const file of ['identity.onnx', 'neg.onnx']) await okJson(first.url, 'POST', `${API}/model-versions/create`, { name: 'churn', source: join(dir, file) })
    await okJson(first.url, 'POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion', version: '1' })
    // Each replica loads both versions from S3 now, so the alias move below measures propagation, not a cold model load.
    for (const server of servers) for (const version of ['1', '2']) await okJson(server.url, 'POST', `/v2/models/churn/versions/${version}/infer`, INFER_BODY)
    const { experiment_id: experimentId } = await okJson(first.url, 'POST', `${API}/experiments/create`, { name: 'replicas-load' })
    const { run } = await okJson(first.url, 'POST', `${API}/runs/create`, { experiment_id: experimentId })
    runId = run.info.run_id
    proxy = await startRoundRobinProxy(servers.map((s) => s.url))
    const artifactRoot = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\//, '')
    load = startLoad({ base: proxy.url, experimentId, runId, artifactRoot }, LOAD_WORKERS)
    await waitFor('load reaches every replica', () => servers.every((_, i) => proxy.answered(i) >= 10), 60_000)
  })
  after(async () => {
    await load?.stop()
    await proxy?.close()
    await Promise.all(servers.map((s) => s.stop()))
    await cleanup?.()
    await emptyAndDelete(s3, bucket).catch(() => undefined)
    s3.destroy()
    await removeTempDir(dir)
  })

  it('should serve on all three replicas within 2 s an alias moved through one of them under load', async (t) => {
    await okJson(servers[2]!.url, 'POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion', version: '2' })
    const moved = performance.now()
    const delays = await Promise.all(servers.map((s) => timeUntilServed(s.url, '2', moved)))
    t.diagnostic(`version 2 served after ${delays.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    assert.ok(delays.every((ms) => ms < 2000), `replicas served version 2 after ${delays.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    assert.deepEqual(load.failures, [], 'a request failed before any replica was killed')
  })

  it('should fail only the requests in flight to a replica killed with kill -9 and lose no acknowledged write', { timeout: 120_000 }, async (t) => {
    const before = load.successes()
    // So the kill lands mid-request, as a crash under load does.
    await waitFor('a request in flight to the replica', () => proxy.inFlight(KILLED) > 0, 30_000)
    const inFlight = proxy.inFlight(KILLED)
    await servers[KILLED]!.kill()
    killedAt = performance.now()
    assert.equal(servers[KILLED]!.child.signalCode, 'SIGKILL')
    const afterKill = load.successes()
    await waitFor('load goes on on the survivors', () => load.successes() >= afterKill + 50, 60_000)

    // The proxy sees a broken connection for each request the dead replica had; the client sees
    // each of those as a 502 (or a reset, if the answer had begun), and nothing else fails.
    assert.ok(proxy.failures.length <= LOAD_WORKERS, `${proxy.failures.length} failures with ${LOAD_WORKERS} clients`)
    for (const failure of proxy.failures) {
      assert.equal(failure.backend, KILLED, `a request to live replica ${failure.backend} failed: ${failure.reason}`)
      assert.ok(failure.startedAt <= killedAt, `a request forwarded after the kill failed: ${failure.reason}`)
    }
    assert.equal(load.failures.length, proxy.failures.length, JSON.stringify(load.failures))
    for (const failure of load.failures) assert.match(failure.what, /\b502\b|fetch failed|other side closed|terminated|ECONNRESET/)
    assert.ok(load.successes() > before)
    t.diagnostic(`${inFlight} in flight to the killed replica, ${proxy.failures.length} failed (${proxy.failures.map((f) => f.reason).join(', ')})`)

    const missing = await missingWrites(servers[0]!.url, runId, load.acked)
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes are missing after the kill`)
  })

  it('should send proxied requests to the restarted replica again, and it should read every acknowledged write', { timeout: 180_000 }, async (t) => {
    assert.ok(killedAt > 0, 'the kill step did not run')
    const failuresBefore = load.failures.length
    servers[KILLED] = await startServer(args(ports[KILLED]!), { env: S3_ENV })
    const answeredBefore = proxy.answered(KILLED)
    await waitFor('the restarted replica answers proxied requests', () => proxy.answered(KILLED) >= answeredBefore + 20, 60_000)
    await load.stop()
    assert.deepEqual(load.failures.slice(failuresBefore), [], 'a request failed after the restart')
    const missing = await missingWrites(servers[KILLED]!.url, runId, load.acked)
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes are missing on the restarted replica`)
    assert.ok(load.acked.points.length > 0 && load.acked.runIds.length > 0 && load.acked.artifacts.length > 0)
    t.diagnostic(`${load.successes()} requests succeeded; read back ${load.acked.points.length} points, ${load.acked.runIds.length} runs, ${load.acked.artifacts.length} artifacts`)
  })
})

async function emptyAndDelete(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    const objects = (listed.Contents ?? []).map(({ Key }) => ({ Key }))
    if (objects.length === 0) break
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }))
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }))
}
