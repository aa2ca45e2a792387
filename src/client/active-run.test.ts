import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import { FakeMlflowServer } from './fake-mlflow-server.test-helper.js'
import { PlinthClient } from './index.js'

describe('ActiveRun', () => {
  let fake: FakeMlflowServer
  let dir: string
  const client = () =>
    new PlinthClient({ trackingUri: fake.url, env: {}, token: 't', retry: { baseDelayMs: 1 } })

  before(async () => {
    fake = await FakeMlflowServer.start()
    dir = await mkdtemp(join(tmpdir(), 'plinth-client-'))
  })
  after(async () => {
    await fake.close()
    await rm(dir, { recursive: true, force: true })
  })
  beforeEach(() => fake.reset())

  describe('artifacts', () => {
    it('streams a file with PUT to the proxied path derived from artifact_uri', async () => {
      const bytes = randomBytes(300_000)
      const file = join(dir, 'model.onnx')
      await writeFile(file, bytes)
      const run = await client().startRun({ experimentName: 'art' })
      await run.logArtifact(file, 'model/model.onnx')
      const [put] = fake.requests.filter((r) => r.method === 'PUT')
      const root = `${run.experimentId}/${run.runId}/artifacts`
      assert.equal(put!.path, `/api/2.0/mlflow-artifacts/artifacts/${root}/model/model.onnx`)
      assert.equal(put!.headers['content-length'], String(bytes.length))
      assert.equal(put!.headers.authorization, 'Bearer t')
      assert.ok(put!.body.equals(bytes))
      await run.end()
    })

    it('defaults to the base name and encodes each path segment', async () => {
      const file = join(dir, 'weights #1.bin')
      await writeFile(file, 'w')
      const run = await client().startRun()
      await run.logArtifact(file)
      await run.logArtifact(file, 'sub dir/a?b.bin')
      const paths = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path)
      const root = `/api/2.0/mlflow-artifacts/artifacts/0/${run.runId}/artifacts`
      assert.deepEqual(paths, [`${root}/weights%20%231.bin`, `${root}/sub%20dir/a%3Fb.bin`])
      assert.deepEqual(
        fake.artifacts.get(`0/${run.runId}/artifacts/sub dir/a?b.bin`),
        Buffer.from('w'),
      )
      await run.end()
    })

    it('writes text and JSON artifacts', async () => {
      const run = await client().startRun()
      await run.logText('héllo', 'notes/readme.txt')
      await run.logJSON({ a: [1, 2] }, 'meta.json')
      const root = `0/${run.runId}/artifacts`
      assert.equal(fake.artifacts.get(`${root}/notes/readme.txt`)!.toString('utf8'), 'héllo')
      assert.deepEqual(JSON.parse(fake.artifacts.get(`${root}/meta.json`)!.toString()), {
        a: [1, 2],
      })
      await run.end()
    })

    it('uploads a directory tree with logArtifacts', async () => {
      const tree = join(dir, 'tree')
      await mkdir(join(tree, 'nested'), { recursive: true })
      await writeFile(join(tree, 'a.txt'), 'a')
      await writeFile(join(tree, 'nested', 'b.txt'), 'b')
      const run = await client().startRun()
      await run.logArtifacts(tree, 'out')
      const root = `0/${run.runId}/artifacts`
      assert.equal(fake.artifacts.get(`${root}/out/a.txt`)?.toString(), 'a')
      assert.equal(fake.artifacts.get(`${root}/out/nested/b.txt`)?.toString(), 'b')
      await run.end()
    })

    it('retries an upload on 503 with a fresh stream', async () => {
      const file = join(dir, 'retry.bin')
      const bytes = randomBytes(50_000)
      await writeFile(file, bytes)
      let first = true
      fake.intercept((r) => {
        if (r.method !== 'PUT' || !first) return undefined
        first = false
        return { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'later' } }
      })
      const run = await client().startRun()
      await run.logArtifact(file, 'retry.bin')
      const puts = fake.requests.filter((r) => r.method === 'PUT')
      assert.equal(puts.length, 2)
      assert.ok(puts[1]!.body.equals(bytes))
      await run.end()
    })

    it("refuses '..' in artifact paths and a missing file", async () => {
      const run = await client().startRun()
      await assert.rejects(run.logText('x', '../escape.txt'), /'\.\.'/)
      await assert.rejects(run.logArtifact(join(dir, 'nope.bin')), /ENOENT/)
      assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 0)
      await run.end()
    })
  })

  describe('end', () => {
    it('flushes first, then sends FINISHED with end_time', async () => {
      const run = await client().startRun()
      run.logMetric('loss', 0.1)
      const before = Date.now()
      await run.end()
      const endpoints = fake.requests.map((r) => r.endpoint)
      assert.deepEqual(endpoints.slice(-2), ['runs/log-batch', 'runs/update'])
      const update = fake.to('runs/update')[0]!.json
      assert.equal(update.run_id, run.runId)
      assert.equal(update.status, 'FINISHED')
      assert.ok(update.end_time >= before && update.end_time <= Date.now())
      assert.equal(run.ended, true)
    })

    it('sends FAILED when asked, only once however often it is called', async () => {
      const run = await client().startRun()
      await Promise.all([run.end('FAILED'), run.end('FAILED')])
      await run.end()
      assert.deepEqual(
        fake.to('runs/update').map((r) => r.json.status),
        ['FAILED'],
      )
    })

    it('rejects an unknown status without ending the run', async () => {
      const run = await client().startRun()
      await assert.rejects(run.end('DONE' as 'FINISHED'), TypeError)
      assert.equal(run.ended, false)
      await run.end()
    })

    it('close() flushes open runs without ending them', async () => {
      const plinth = client()
      const run = await plinth.startRun()
      run.logMetric('m', 1)
      await plinth.close()
      assert.equal(fake.to('runs/log-batch').length, 1)
      assert.equal(fake.to('runs/update').length, 0)
      await assert.rejects(plinth.startRun(), /closed/)
      await run.end()
    })
  })
})
