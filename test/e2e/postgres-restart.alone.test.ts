import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { makeTempDir, metricHistory, okJson, removeTempDir, requestJson, startServer, type PlinthServer } from './plinth-process.test-helper.js'
import { createDatabase, databaseUrl, dropDatabase, isReady, restartUnavailable, startCluster, stopCluster } from './postgres-cluster.test-helper.js'

const API = '/api/2.0/mlflow'
/** How long PostgreSQL stays down: long enough for writes to hit the outage, short for the shared cluster. */
const DOWN_MS = 1500
/** A request PostgreSQL's absence should fail fast; one hanging this long counts as a hang. */
const REQUEST_TIMEOUT_MS = 15_000

interface Writer {
  acked: number[]
  /** [sent, answered] times of each acknowledged write. */
  ackTimes: [number, number][]
  refusals: { status: number; code: unknown }[]
  runsAcked: string[]
  networkErrors: string[]
  stop(): Promise<void>
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Logs `loss` at step 0, 1, 2, … as fast as answers come; every 20th call also creates a run. */
function startWriter(base: string, runId: string, experimentId: string, offset: number): Writer {
  const writer: Writer = { acked: [], ackTimes: [], refusals: [], runsAcked: [], networkErrors: [], stop: async () => {} }
  let running = true
  const loop = (async () => {
    for (let step = offset; running; step += 2) {
      const body = { run_id: runId, key: 'loss', value: step, timestamp: step, step }
      const sentAt = Date.now()
      const response = await withTimeout(requestJson(base, 'POST', `${API}/runs/log-metric`, body)).catch((error: Error) => {
        writer.networkErrors.push(error.message)
        return undefined
      })
      if (response?.status === 200) {
        writer.acked.push(step)
        writer.ackTimes.push([sentAt, Date.now()])
      }
      else if (response) writer.refusals.push({ status: response.status, code: response.body?.error_code })
      if (step % 20 === offset) {
        const created = await withTimeout(requestJson(base, 'POST', `${API}/runs/create`, { experiment_id: experimentId, run_name: `w${step}` })).catch(() => undefined)
        if (created?.status === 200) writer.runsAcked.push(created.body.run.info.run_id)
      }
    }
  })()
  writer.stop = async () => {
    running = false
    await loop
  }
  return writer
}

/** Reads across the API's domains, each as `path status code`. */
async function probeReads(base: string, runId: string): Promise<string[]> {
  const paths = [
    `${API}/runs/get?run_id=${runId}`,
    `${API}/experiments/search?max_results=5`,
    `${API}/metrics/get-history?run_id=${runId}&metric_key=loss`,
    `${API}/registered-models/search`,
    `${API}/model-versions/search`,
    '/api/plinth/v1/deployments',
    '/api/plinth/v1/monitors',
    '/api/plinth/v1/alerts',
    '/api/plinth/v1/pipelines',
    '/api/plinth/v1/prediction-logs?deployment=x',
    '/api/plinth/v1/feedback?prediction_id=p1',
    '/v2/models/churn',
  ]
  const lines: string[] = []
  for (const path of paths) {
    const response = await withTimeout(requestJson(base, 'GET', path)).catch((error: Error) => ({ status: 0, body: { error_code: error.message } }))
    lines.push(`${path} ${response.status} ${response.body?.error_code}`)
  }
  return lines
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * PostgreSQL going away under load is an outage, not a crash: writes answer 503 while it is down,
 * the server reconnects on its own when it is back, and nothing it acknowledged is missing.
 */
describe('a PostgreSQL restart under write load', { skip: restartUnavailable() }, () => {
  const database = `plinth_restart_${process.pid}`
  let dir: string
  let server: PlinthServer | undefined

  before(async () => {
    dir = await makeTempDir('pg-restart')
    await createDatabase(database)
    server = await startServer(['--port', '0', '--log-level', 'error', '--backend-store-uri', databaseUrl(database), '--artifacts-destination', `${dir}/artifacts`])
  })
  after(async () => {
    // Whatever failed, the shared cluster must be up for everyone else.
    await startCluster()
    await server?.stop()
    await dropDatabase(database).catch(() => undefined)
    await removeTempDir(dir)
  })

  it('should answer 503 while PostgreSQL is down, reconnect without a restart and keep every acknowledged write', { timeout: 180_000 }, async (t) => {
    const base = server!.url
    const { experiment_id: experimentId } = await okJson(base, 'POST', `${API}/experiments/create`, { name: 'pg-restart' })
    const { run } = await okJson(base, 'POST', `${API}/runs/create`, { experiment_id: experimentId })
    const runId: string = run.info.run_id
    const writers = [startWriter(base, runId, experimentId, 0), startWriter(base, runId, experimentId, 1)]
    const acked = () => writers.reduce((n, w) => n + w.acked.length, 0)
    const refused = () => writers.reduce((n, w) => n + w.refusals.length, 0)

    let readsWhileDown: string[] = []
    let downFrom = 0
    let downUntil = 0
    const progress = () => `acked ${acked()}, refused ${refused()}, network errors ${writers.reduce((n, w) => n + w.networkErrors.length, 0)}`
    try {
      await waitFor(() => acked() >= 50, 60_000, '50 acknowledged writes before the outage')
      await stopCluster()
      downFrom = Date.now()
      t.diagnostic(`PostgreSQL stopped: ${progress()}`)
      try {
        await waitFor(() => refused() >= 1, 20_000, `a write refused while PostgreSQL is down (${progress()})`)
        readsWhileDown = await probeReads(base, runId)
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS))
      } finally {
        downUntil = Date.now()
        await startCluster()
      }
      t.diagnostic(`PostgreSQL started: ${progress()}`)
      assert.ok(await isReady(), 'PostgreSQL is up again')
      const ackedAtRestart = acked()
      await waitFor(() => acked() >= ackedAtRestart + 50, 60_000, `50 acknowledged writes after PostgreSQL is back (${progress()})`)
    } catch (error) {
      throw new Error(`${(error as Error).message}\nserver output:\n${server!.output().slice(-4000)}`)
    } finally {
      await Promise.all(writers.map((w) => w.stop()))
    }
    t.diagnostic(`done: ${progress()}`)
    if (server!.child.exitCode !== null || server!.child.signalCode !== null) t.diagnostic(`server output:\n${server!.output().slice(-4000)}`)

    const refusals = writers.flatMap((w) => w.refusals)
    assert.deepEqual(writers.flatMap((w) => w.networkErrors), [], 'the server dropped connections (crashed?)')
    assert.deepEqual(refusals.filter((r) => r.status !== 503 || r.code !== 'TEMPORARILY_UNAVAILABLE'), [], 'a write failed other than with 503 TEMPORARILY_UNAVAILABLE')
    assert.equal(server!.child.exitCode, null, 'the server is still running')
    const ackedWhileDown = writers.flatMap((w) => w.ackTimes).filter(([sent, answered]) => sent >= downFrom && answered <= downUntil)
    assert.deepEqual(ackedWhileDown, [], 'a write was acknowledged while PostgreSQL was down')
    assert.deepEqual(readsWhileDown.filter((line) => !line.endsWith(' 503 TEMPORARILY_UNAVAILABLE')), [], 'a read failed other than with 503 TEMPORARILY_UNAVAILABLE')

    const stored = new Set((await metricHistory(base, runId, 'loss')).map((p) => p.step))
    const lost = writers.flatMap((w) => w.acked).filter((step) => !stored.has(step))
    assert.deepEqual(lost, [], 'acknowledged metric points are missing')
    for (const id of writers.flatMap((w) => w.runsAcked)) await okJson(base, 'GET', `${API}/runs/get?run_id=${id}`)
    assert.ok(refusals.length >= 1)
  })
})
