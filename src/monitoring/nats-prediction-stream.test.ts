import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { connect, type NatsConnection } from 'nats'
import { registerModels, unaryModel, v2Body } from '../inference/serving-fixtures.test-helper.js'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { NatsPredictionStream, streamNameFor } from './nats-prediction-stream.js'
import { PredictionLogMetrics } from './prediction-log-metrics.js'

const NATS_URL = process.env.PLINTH_TEST_NATS_URL
const skip = NATS_URL ? undefined : 'PLINTH_TEST_NATS_URL is not set (e.g. nats://127.0.0.1:4222, a server with JetStream on)'

async function streamCount(metrics: PlinthMetrics, outcome: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('plinth_prediction_log_stream_total')!.get()
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0
}

/** Every logged prediction reaches a JetStream consumer: served ones and ingested ones. */
describe('streaming prediction logs to NATS JetStream', { skip }, () => {
  const subject = `plinth.test.${randomBytes(4).toString('hex')}`
  let t: TestApp
  let nc: NatsConnection
  // A database file, so serving writes through the writer thread, which sends the JSON back.
  const folder = mkdtempSync(join(tmpdir(), 'plinth-nats-'))
  before(async () => {
    t = await createTestApp({ backendStoreUri: `sqlite:///${join(folder, 'plinth.db')}`, predictionLogNatsUrl: NATS_URL!, predictionLogNatsSubject: subject })
    await registerModels(t.services, 'churn', [unaryModel('Neg')])
    nc = await connect({ servers: NATS_URL! })
  })
  after(async () => {
    await t?.close()
    await (await nc?.jetstreamManager())?.streams.delete(streamNameFor(subject)).catch(() => undefined)
    await nc?.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should publish every served and ingested prediction, once, with its fields', async () => {
    const served: string[] = []
    for (let i = 0; i < 20; i++) {
      const response = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([[i + 1, 1, 2, 3]]))
      served.push(response.headers['x-prediction-id'] as string)
    }
    const ingested = await call(t.app, 'POST', '/api/plinth/v1/prediction-logs', {
      predictions: [{ prediction_id: 'ext-1', model: 'fraud', version: '1', time: 1_700_000_000_000, inputs: { a: [1] }, outputs: { s: [0.5] } }],
    })
    assert.equal(ingested.status, 200)
    await t.services.predictionLogs.flush()

    const jsm = await nc.jetstreamManager()
    const stream = streamNameFor(subject)
    const received = new Map<string, Record<string, unknown>>()
    const deadline = Date.now() + 15_000
    while (received.size < 21 && Date.now() < deadline) {
      const info = await jsm.streams.info(stream)
      if (info.state.messages < 21) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
      await jsm.consumers.add(stream, { durable_name: 'test', ack_policy: 'explicit' as never })
      const consumer = await nc.jetstream().consumers.get(stream, 'test')
      const messages = await consumer.fetch({ max_messages: 100, expires: 2000 })
      for await (const message of messages) {
        const body = message.json<Record<string, unknown>>()
        received.set(body.prediction_id as string, body)
        message.ack()
        if (received.size >= 21) break
      }
    }
    assert.deepEqual([...received.keys()].sort(), [...served, 'ext-1'].sort())
    const first = received.get(served[0]!)!
    assert.deepEqual([first.model, first.version, first.rows, first.outputs], ['churn', '1', 1, { 'y[0]': [-1], 'y[1]': [-1], 'y[2]': [-2], 'y[3]': [-3] }])
    assert.equal((await jsm.streams.info(stream)).state.messages, 21)
  })
})

describe('a NATS server that cannot be reached', () => {
  it('should retry, then count the records failed without throwing', async () => {
    const metrics = new PlinthMetrics()
    const warnings: string[] = []
    const stream = new NatsPredictionStream({ url: 'nats://127.0.0.1:1', subject: 'plinth.nowhere', metrics: new PredictionLogMetrics(metrics), maxAttempts: 2, retryBaseMs: 1, warn: (m) => warnings.push(m) })
    stream.publish([{ predictionId: 'p', model: 'm', version: '1', time: 0, rows: 0, inputs: {}, outputs: {}, latencyMs: 0 }])
    await stream.close()
    assert.equal(await streamCount(metrics, 'retried'), 1)
    assert.equal(await streamCount(metrics, 'failed'), 1)
    assert.match(warnings[0]!, /publishing 1 prediction logs to NATS failed, giving up/)
  })
})
