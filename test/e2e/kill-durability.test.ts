import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import {
  makeTempDir,
  metricHistory,
  okJson,
  pointId,
  removeTempDir,
  sqliteUri,
  startServer,
  type MetricPoint,
  type PlinthServer,
} from './plinth-process.test-helper.js'

const API = '/api/2.0/mlflow'
const WRITERS = 4
/** Acknowledged points the in-flight writers must reach before the kill, so it lands mid-stream. */
const STREAM_ACKS_BEFORE_KILL = 300

/**
 * A 200 from a logging call is a promise that the data is stored: `kill -9` of the server right
 * after (no shutdown hook, no flush) and a restart on the same files must not lose any of it.
 */
describe('data acknowledged before the server is killed with SIGKILL', () => {
  let dir: string
  let server: PlinthServer | undefined
  const serverArgs = () => [
    '--port', '0',
    '--log-level', 'warn',
    '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')),
    '--artifacts-destination', join(dir, 'artifacts'),
  ]

  before(async () => {
    dir = await makeTempDir('kill-durability')
  })
  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should keep every acknowledged metric, param and artifact after kill -9 and a restart', { timeout: 300_000 }, async () => {
    server = await startServer(serverArgs())
    const base = server.url
    const { experiment_id: experimentId } = await okJson(base, 'POST', `${API}/experiments/create`, { name: `kill-${process.pid}` })
    const { run } = await okJson(base, 'POST', `${API}/runs/create`, { experiment_id: experimentId })
    const runId: string = run.info.run_id

    await okJson(base, 'POST', `${API}/runs/log-parameter`, { run_id: runId, key: 'optimizer', value: 'adam' })
    const artifact = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256))
    const root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\//, '')
    const upload = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/model.bin`, { method: 'PUT', body: artifact })
    assert.equal(upload.status, 200)

    const acked: MetricPoint[] = []
    const sent: MetricPoint[] = []
    const t0 = Date.now()
    for (let step = 0; step < 50; step++) {
      const point = { key: 'loss', value: 1 / (step + 1), timestamp: t0 + step, step }
      sent.push(point)
      await okJson(base, 'POST', `${API}/runs/log-metric`, { run_id: runId, ...point })
      acked.push(point)
    }
    for (let batch = 0; batch < 5; batch++) {
      const metrics = Array.from({ length: 100 }, (_, i) => ({ key: 'accuracy', value: (batch * 100 + i) / 1000, timestamp: t0 + batch * 100 + i, step: batch * 100 + i }))
      sent.push(...metrics)
      await okJson(base, 'POST', `${API}/runs/log-batch`, { run_id: runId, metrics, tags: [{ key: 'last_batch', value: String(batch) }] })
      acked.push(...metrics)
    }

    const stream = streamUntilKilled(base, runId, sent, acked)
    await waitFor(() => stream.acknowledged() >= STREAM_ACKS_BEFORE_KILL, 120_000)
    await server.kill()
    assert.equal(server.child.signalCode, 'SIGKILL')
    const refusals = await stream.finished
    assert.deepEqual(refusals, [], 'a logging call was answered with an error before the kill')

    server = await startServer(serverArgs())
    const keys = [...new Set(sent.map((p) => p.key))]
    const stored = new Map<string, MetricPoint[]>()
    for (const key of keys) stored.set(key, await metricHistory(server.url, runId, key))

    const storedIds = new Set([...stored.values()].flat().map(pointId))
    const lost = acked.filter((p) => !storedIds.has(pointId(p)))
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged points were lost`)
    const sentIds = new Set(sent.map(pointId))
    const invented = [...stored.values()].flat().filter((p) => !sentIds.has(pointId(p)))
    assert.deepEqual(invented, [], 'the history holds points that were never sent')

    const reread = (await okJson(server.url, 'GET', `${API}/runs/get?run_id=${runId}`)).run
    assert.deepEqual(reread.data.params, [{ key: 'optimizer', value: 'adam' }])
    assert.equal(reread.data.tags.find((t: { key: string }) => t.key === 'last_batch')?.value, '4')
    const download = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=model.bin`)
    assert.equal(download.status, 200)
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), artifact)
  })
})

/**
 * Writers that log without pause (single points and batches, alternating) until the server goes
 * away, so the kill lands while requests are in flight. A request whose connection breaks is
 * unacknowledged: its points may or may not be stored. An HTTP error answer is a refusal.
 */
function streamUntilKilled(base: string, runId: string, sent: MetricPoint[], acked: MetricPoint[]) {
  let count = 0
  const refusals: string[] = []
  const writer = async (w: number) => {
    const key = `stream_${w}`
    const t0 = Date.now()
    for (let round = 0; ; round++) {
      const single = round % 2 === 0
      const size = single ? 1 : 25
      const points = Array.from({ length: size }, (_, i) => {
        const step = round * 100 + i
        return { key, value: step / 7, timestamp: t0 + step, step }
      })
      sent.push(...points)
      const path = single ? 'log-metric' : 'log-batch'
      const body = single ? { run_id: runId, ...points[0] } : { run_id: runId, metrics: points }
      let response: Response
      try {
        response = await fetch(`${base}${API}/runs/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        await response.arrayBuffer()
      } catch {
        return
      }
      if (response.status !== 200) {
        refusals.push(`${path} answered ${response.status}`)
        return
      }
      acked.push(...points)
      count += points.length
    }
  }
  return {
    acknowledged: () => count,
    finished: Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w))).then(() => refusals),
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
