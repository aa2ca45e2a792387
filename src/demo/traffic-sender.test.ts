import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { train } from '../training/train-model.js'
import { trackTraining } from '../training/training-tracking.js'
import { CHURN_FEATURES, CHURN_TARGET, generateChurnData } from './churn-data.js'
import { openDemoWorkspace, type DemoWorkspace } from './demo-workspace.js'
import { backgroundTraffic, TrafficSender } from './traffic-sender.js'

/** The sender against a real server: V2 requests with its own ids, then labels joined to them. */
describe('TrafficSender', () => {
  let ws: DemoWorkspace

  before(async () => {
    ws = await openDemoWorkspace({ port: 0 })
    const path = ws.writeData('train.csv', generateChurnData({ rows: 300, seed: 1 }))
    const result = train(path, { target: CHURN_TARGET, model: 'logistic' })
    await trackTraining(ws.server.services, result, { register: 'churn', dataPath: path, userId: 'test' })
    await ws.server.services.deployments.create('churn-api', { routes: [{ model: 'churn', version: '1', weight: 100 }] })
  })
  after(() => ws.close(false))

  async function loggedIds(prefix: string): Promise<string[]> {
    await ws.server.services.predictionLogs.flush()
    const response = await fetch(`${ws.server.url}/api/plinth/v1/prediction-logs?deployment=churn-api&max_results=1000`)
    const body = (await response.json()) as { predictions: { prediction_id: string; rows: number }[] }
    return body.predictions.map((p) => p.prediction_id).filter((id) => id.startsWith(`${prefix}-`)).sort()
  }

  it('should send rows in batches under its own prediction ids and keep each batch\'s labels', async () => {
    const sender = new TrafficSender(ws.server.url, 'churn-api', CHURN_FEATURES.length)
    const rows = generateChurnData({ rows: 20, seed: 2 }).rows
    const sent = await sender.send(rows, { batch: 8, concurrency: 2, idPrefix: 'unit' })
    assert.deepEqual(sent.map((b) => b.labels.length).sort(), [4, 8, 8])
    assert.ok(sent.every((b) => b.ok))
    assert.deepEqual(sent.flatMap((b) => b.labels).sort(), rows.map((r) => r[5]!).sort())
    assert.deepEqual(sender.totals, { requests: 3, rows: 20, failed: 0, labelled: 0 })
    assert.deepEqual(await loggedIds('unit'), sent.map((b) => b.id).sort())
  })

  it('should post the labels as feedback and count only those matched to a logged prediction', async () => {
    const sender = new TrafficSender(ws.server.url, 'churn-api', CHURN_FEATURES.length)
    const sent = await sender.send(generateChurnData({ rows: 10, seed: 3 }).rows, { batch: 5, concurrency: 1, idPrefix: 'fb' })
    await ws.server.services.predictionLogs.flush()
    const stray = { id: 'fb-never-sent', labels: [1], ok: true }
    assert.equal(await sender.sendFeedback([...sent, stray]), 2)
    assert.equal(sender.totals.labelled, 2)
  })

  it('should count refused requests as failed without throwing', async () => {
    const sender = new TrafficSender(ws.server.url, 'churn-api', 3)
    const sent = await sender.send(generateChurnData({ rows: 4, seed: 4 }).rows, { batch: 4, concurrency: 1, idPrefix: 'bad' })
    assert.equal(sent[0]!.ok, false)
    assert.equal(sender.totals.failed, 1)
  })

  it('should keep sending in the background until stopped', async () => {
    const sender = new TrafficSender(ws.server.url, 'churn-api', CHURN_FEATURES.length)
    let calls = 0
    const traffic = backgroundTraffic(sender, () => generateChurnData({ rows: 2, seed: ++calls }).rows, { batch: 2, concurrency: 1, idPrefix: 'bg', pauseMs: 5 })
    while (sender.totals.requests < 3) await new Promise((resolve) => setTimeout(resolve, 10))
    await traffic.stop()
    const stopped = sender.totals.requests
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(sender.totals.requests, stopped)
    assert.equal(sender.totals.failed, 0)
  })
})
