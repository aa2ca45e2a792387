import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import {
  freePort,
  makeTempDir,
  metricHistory,
  okJson,
  pointId,
  removeTempDir,
  requestJson,
  sqliteUri,
  startServer,
  type MetricPoint,
  type PlinthServer,
} from './plinth-process.test-helper.js'

const API = '/api/2.0/mlflow'
const CLIENTS = 32
const RUNS = 8
const ROUNDS = 12
const BATCH_SIZE = 40

/**
 * Many training jobs logging at once to a server on a SQLite file: every call must succeed
 * (no "database is locked", which MLflow's SQLite store is known for) and no point may be
 * lost or duplicated, including on a key every client writes to.
 */
describe('32 clients logging at once to a server on SQLite', () => {
  let dir: string
  let server: PlinthServer | undefined

  before(async () => {
    dir = await makeTempDir('concurrent')
  })
  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  async function serve(label: string, extra: string[]): Promise<PlinthServer> {
    server = await startServer([
      '--log-level', 'warn',
      '--backend-store-uri', sqliteUri(join(dir, `${label}.db`)),
      '--artifacts-destination', join(dir, `${label}-artifacts`),
      ...extra,
    ])
    return server
  }

  it('should answer every call with 200 and store exactly the points sent, in one process', { timeout: 300_000 }, async () => {
    const running = await serve('single', ['--port', '0'])
    await logFromAllClientsAndCheck(running)
    await running.stop()
  })

  it('should do the same with two worker processes writing the one file', { timeout: 300_000 }, async () => {
    const running = await serve('workers', ['--port', String(await freePort()), '--workers', '2'])
    await logFromAllClientsAndCheck(running)
    await running.stop()
  })
})

async function logFromAllClientsAndCheck(server: PlinthServer): Promise<void> {
  const base = server.url
  const { experiment_id: experimentId } = await okJson(base, 'POST', `${API}/experiments/create`, { name: `concurrent-${process.pid}` })
  const runIds: string[] = []
  for (let r = 0; r < RUNS; r++) runIds.push((await okJson(base, 'POST', `${API}/runs/create`, { experiment_id: experimentId })).run.info.run_id)

  const sent = new Map<string, MetricPoint[]>()
  const failures: string[] = []
  await Promise.all(Array.from({ length: CLIENTS }, (_, client) => logAsClient(base, client, runIds[client % RUNS]!, sent, failures)))

  assert.deepEqual(failures, [], 'some logging calls failed')
  assert.doesNotMatch(server.output(), /database is locked|SQLITE_BUSY/i)

  let total = 0
  for (const [slot, points] of sent) {
    const [runId, key] = slot.split('\n') as [string, string]
    const stored = await metricHistory(base, runId, key)
    assert.equal(stored.length, points.length, `${key} on run ${runId}: ${stored.length} points stored, ${points.length} sent`)
    assert.deepEqual(stored.map(pointId).sort(), points.map(pointId).sort(), `${key} on run ${runId}`)
    total += stored.length
  }
  assert.equal(total, (CLIENTS * ROUNDS * (1 + BATCH_SIZE)) / 2)
}

/**
 * One client: alternates single log-metric calls and log-batch calls, writing its own key and a
 * key shared by every client on the same run, with steps no other client uses.
 */
async function logAsClient(base: string, client: number, runId: string, sent: Map<string, MetricPoint[]>, failures: string[]): Promise<void> {
  const recordSent = (points: MetricPoint[]) => {
    for (const p of points) {
      const slot = `${runId}\n${p.key}`
      if (!sent.has(slot)) sent.set(slot, [])
      sent.get(slot)!.push(p)
    }
  }
  const point = (key: string, n: number): MetricPoint => {
    const step = client * 100_000 + n
    return { key, value: Math.sin(step) * 1000, timestamp: 1_700_000_000_000 + step, step }
  }
  let n = 0
  for (let round = 0; round < ROUNDS; round++) {
    const single = round % 2 === client % 2
    const points = single
      ? [point(round % 4 < 2 ? `own_${client}` : 'shared', n++)]
      : Array.from({ length: BATCH_SIZE }, (_, i) => point(i % 2 ? 'shared' : `own_${client}`, n++))
    recordSent(points)
    const response = single
      ? await requestJson(base, 'POST', `${API}/runs/log-metric`, { run_id: runId, ...points[0] })
      : await requestJson(base, 'POST', `${API}/runs/log-batch`, { run_id: runId, metrics: points })
    if (response.status !== 200) failures.push(`client ${client} round ${round}: ${response.status} ${JSON.stringify(response.body)}`)
  }
}
