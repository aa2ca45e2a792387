import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createServices } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { registerModels, unaryModel, v2Body } from '../../src/inference/serving-fixtures.test-helper.js'
import { makeTempDir, okJson, removeTempDir, requestJson, runCli, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

const LOGS = '/api/plinth/v1/prediction-logs'
const WRITERS = 3
const BATCH = 40
/** Acknowledged ingestion batches before the kill, so it lands while more are in flight. */
const BATCHES_BEFORE_KILL = 15

/** Every prediction id the store holds, read through the API page by page. */
async function storedIds(base: string): Promise<Set<string>> {
  const ids = new Set<string>()
  let token: string | undefined
  do {
    const page = await okJson(base, 'GET', `${LOGS}?max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`)
    for (const p of page.predictions as Array<{ prediction_id: string }>) ids.add(p.prediction_id)
    token = page.next_page_token
  } while (token)
  return ids
}

describe('prediction logs across kill -9 and SIGTERM', () => {
  let dir: string
  let server: PlinthServer | undefined
  const args = () => ['--port', '0', '--log-level', 'warn', '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), '--artifacts-destination', join(dir, 'artifacts')]

  before(async () => {
    dir = await makeTempDir('prediction-logs')
    const services = await createServices(resolveConfig({ backendStoreUri: sqliteUri(join(dir, 'plinth.db')), artifactsDestination: join(dir, 'artifacts') }, {}))
    await registerModels(services, 'churn', [unaryModel('Neg')])
    await services.close()
  })
  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should keep every prediction of every acknowledged ingestion batch after kill -9', { timeout: 300_000 }, async () => {
    server = await startServer(args())
    const base = server.url
    const acked: string[] = []
    const refusals: string[] = []
    let batches = 0
    const writer = async (w: number) => {
      for (let b = 0; ; b++) {
        const predictions = Array.from({ length: BATCH }, (_, i) => ({
          prediction_id: `w${w}-b${b}-${i}`, model: 'fraud', version: '1', time: Date.now(), inputs: { amount: [i * 1.5], city: [`c${i}`] }, outputs: { score: [i / BATCH] }, latency_ms: 2,
        }))
        let response: Response
        try {
          response = await fetch(`${base}${LOGS}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ predictions }) })
          await response.arrayBuffer()
        } catch {
          return // The connection broke: this batch is unacknowledged.
        }
        if (response.status !== 200) return void refusals.push(`batch answered ${response.status}`)
        acked.push(...predictions.map((p) => p.prediction_id))
        batches++
      }
    }
    // Inference runs beside ingestion, so the serving logger's writes compete for the database.
    const inferring = (async () => {
      for (;;) {
        try {
          await (await fetch(`${base}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify(v2Body([[1, 2, 3, 4]])) })).arrayBuffer()
        } catch {
          return
        }
      }
    })()
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)))
    const deadline = Date.now() + 120_000
    while (batches < BATCHES_BEFORE_KILL && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    await server.kill()
    await Promise.all([writing, inferring])
    assert.deepEqual(refusals, [])
    assert.ok(acked.length >= BATCHES_BEFORE_KILL * BATCH, `only ${acked.length} predictions acknowledged`)

    server = await startServer(args())
    const stored = await storedIds(server.url)
    const lost = acked.filter((id) => !stored.has(id))
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged predictions were lost`)
    await server.stop()
    server = undefined
  })

  it('should write every answered request on SIGTERM', { timeout: 300_000 }, async () => {
    server = await startServer(args())
    const answered: string[] = []
    for (let i = 0; i < 60; i++) {
      const protocol = i % 3
      const response: Response =
        protocol === 0
          ? await fetch(`${server.url}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify(v2Body([[i, 1, 2, 3]])) })
          : protocol === 1
            ? await fetch(`${server.url}/v1/models/churn:predict`, { method: 'POST', body: JSON.stringify({ instances: [[i, 1, 2, 3]] }) })
            : await fetch(`${server.url}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify(v2Body([[i, 1, 2, 3]], { id: `term-${i}` })) })
      await response.arrayBuffer()
      assert.equal(response.status, 200)
      answered.push(response.headers.get('x-prediction-id')!)
    }
    // Straight away: the 250 ms flush has not come yet for the last requests.
    await server.stop()
    assert.equal(server.child.exitCode, 0, server.output())
    server = await startServer(args())
    const stored = await storedIds(server.url)
    assert.deepEqual(answered.filter((id) => !stored.has(id)), [])
    const log = (await requestJson(server.url, 'GET', `${LOGS}?model=churn&max_results=10000`)).body.predictions.find((p: { prediction_id: string }) => p.prediction_id === 'term-2')
    assert.deepEqual([log.version, log.rows, log.inputs['x[0]'], log.outputs['y[0]']], ['1', 1, [2], [-2]])
  })

  it('should list prediction logs from the CLI, and refuse a bad bound', { timeout: 120_000 }, async () => {
    await server?.stop()
    server = undefined
    const store = ['--backend-store-uri', sqliteUri(join(dir, 'plinth.db'))]
    const listed = await runCli(['predictions', 'list', ...store, '--model', 'churn', '--max-results', '5', '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    const page = JSON.parse(listed.stdout)
    assert.equal(page.predictions.length, 5)
    assert.ok(page.next_page_token)
    assert.deepEqual(Object.keys(page.predictions[0]).sort(), ['inputs', 'latency_ms', 'model', 'outputs', 'prediction_id', 'rows', 'time', 'version'])
    const table = await runCli(['predictions', 'list', ...store, '--model', 'fraud', '--max-results', '2'])
    assert.match(table.stdout, /^PREDICTION_ID\s+TIME\s+MODEL/)
    assert.match(table.stdout, /more: --page-token /)
    const bad = await runCli(['predictions', 'list', ...store, '--max-results', '0'])
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /max_results must be a whole number from 1 to 10000/)
  })

  it('should refuse bad prediction logging flags at start, naming the flag', async () => {
    for (const [flag, value, message] of [
      ['--prediction-log-sample-rate', '1.5', /--prediction-log-sample-rate must be a number from 0 to 1/],
      ['--prediction-log-buffer-size', '0', /--prediction-log-buffer-size must be a whole number from 1/],
      ['--prediction-log-retention-days', 'soon', /--prediction-log-retention-days must be a whole number/],
      ['--prediction-logging', 'perhaps', /--prediction-logging takes true or false/],
      ['--prediction-log-nats-url', 'localhost', /--prediction-log-nats-url must be a NATS server URL/],
    ] as const) {
      const result = await runCli(['server', '--port', '0', '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), flag, value])
      assert.notEqual(result.code, 0, flag)
      assert.match(result.stderr, message)
    }
  })
})
