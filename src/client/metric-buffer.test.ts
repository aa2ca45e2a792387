import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, beforeEach, describe, it } from 'node:test'
import { FakeMlflowServer } from './fake-mlflow-server.test-helper.js'
import { PlinthApiError, PlinthClient, type LogErrorContext } from './index.js'

describe('buffered logging', () => {
  let fake: FakeMlflowServer
  const client = (options: ConstructorParameters<typeof PlinthClient>[0] = {}) =>
    new PlinthClient({ trackingUri: fake.url, env: {}, retry: { baseDelayMs: 1 }, ...options })
  const batches = () => fake.to('runs/log-batch').map((r) => r.json)

  before(async () => {
    fake = await FakeMlflowServer.start()
  })
  after(() => fake.close())
  beforeEach(() => fake.reset())

  it('does not call the server until flushed, and returns synchronously', async () => {
    const run = await client({ flushIntervalMs: 60_000 }).startRun()
    assert.equal(run.logMetric('loss', 0.5, { step: 1 }), undefined)
    run.logParams({ lr: 0.1, epochs: 10, layers: [64, 32], on: true })
    assert.equal(fake.to('runs/log-batch').length, 0)
    assert.equal(run.pending, 5)
    await run.flush()
    assert.equal(run.pending, 0)
    const [batch] = batches()
    assert.equal(batch.run_id, run.runId)
    assert.deepEqual(batch.params, [
      { key: 'lr', value: '0.1' },
      { key: 'epochs', value: '10' },
      { key: 'layers', value: '[64,32]' },
      { key: 'on', value: 'true' },
    ])
    assert.equal(batch.metrics[0].key, 'loss')
    assert.equal(batch.metrics[0].step, 1)
    assert.ok(Math.abs(batch.metrics[0].timestamp - Date.now()) < 5000)
    await run.end()
  })

  it('splits 2,500 metrics into 3 requests of at most 1,000, in order', async () => {
    const run = await client({ flushIntervalMs: 60_000 }).startRun()
    for (let i = 0; i < 2500; i++) run.logMetric('m', i, { step: i, timestamp: 1 })
    await run.flush()
    const sent = batches()
    assert.deepEqual(
      sent.map((b) => b.metrics.length),
      [1000, 1000, 500],
    )
    const steps = sent.flatMap((b) => b.metrics.map((m: any) => m.step))
    assert.deepEqual(
      steps,
      Array.from({ length: 2500 }, (_, i) => i),
    )
    assert.deepEqual(
      fake.runs.get(run.runId)!.metrics.map((m) => m.value),
      steps,
    )
    await run.end()
  })

  it('sends a full batch at once without waiting for the timer', async () => {
    const run = await client({ flushIntervalMs: 60_000 }).startRun()
    for (let i = 0; i < 1000; i++) run.logMetric('m', i)
    await delay(100)
    assert.equal(fake.to('runs/log-batch').length, 1)
    await run.end()
  })

  it('keeps params at 100 and the total at 1,000 per request, preserving order', async () => {
    const run = await client({ flushIntervalMs: 60_000 }).startRun()
    for (let i = 0; i < 250; i++) run.logParam(`p${i}`, i)
    for (let i = 0; i < 150; i++) run.setTag(`t${i}`, String(i))
    for (let i = 0; i < 950; i++) run.logMetric('m', i, { step: i })
    await run.flush()
    for (const b of batches()) {
      assert.ok(b.params.length <= 100 && b.tags.length <= 100 && b.metrics.length <= 1000)
      assert.ok(b.params.length + b.tags.length + b.metrics.length <= 1000)
    }
    const params = batches().flatMap((b) => b.params.map((p: any) => p.key))
    assert.deepEqual(
      params,
      Array.from({ length: 250 }, (_, i) => `p${i}`),
    )
    const steps = batches().flatMap((b) => b.metrics.map((m: any) => m.step))
    assert.deepEqual(
      steps,
      Array.from({ length: 950 }, (_, i) => i),
    )
    assert.equal(fake.runs.get(run.runId)!.tags.get('t149'), '149')
    await run.end()
  })

  it('sends non-finite values as the protobuf JSON strings', async () => {
    const run = await client().startRun()
    run.logMetric('a', Number.NaN)
    run.logMetric('b', Number.POSITIVE_INFINITY)
    run.logMetric('c', Number.NEGATIVE_INFINITY)
    await run.end()
    const raw = fake.to('runs/log-batch')[0]!.body.toString()
    assert.match(raw, /"value":"NaN"/)
    assert.deepEqual(
      batches()[0].metrics.map((m: any) => m.value),
      ['NaN', 'Infinity', '-Infinity'],
    )
  })

  it('sends a param logged twice with the same value once, and refuses a changed one', async () => {
    const run = await client().startRun()
    run.logParam('lr', 0.1)
    run.logParams({ lr: 0.1 })
    await run.flush()
    run.logParam('lr', '0.1')
    assert.throws(
      () => run.logParam('lr', 0.2),
      (error: unknown) => {
        assert.ok(error instanceof PlinthApiError)
        assert.equal(error.errorCode, 'INVALID_PARAMETER_VALUE')
        return true
      },
    )
    await run.end()
    assert.equal(batches().flatMap((b) => b.params).length, 1)
  })

  it('flushes on its own every flushIntervalMs', async () => {
    const run = await client({ flushIntervalMs: 20 }).startRun()
    run.logMetric('loss', 1)
    await delay(300)
    assert.equal(fake.to('runs/log-batch').length, 1)
    run.logMetric('loss', 2)
    await delay(300)
    assert.equal(fake.to('runs/log-batch').length, 2)
    await run.end()
  })

  it('retries a 503 and a dropped connection, then succeeds', async () => {
    let calls = 0
    fake.intercept((r) => {
      if (r.endpoint !== 'runs/log-batch') return undefined
      calls++
      if (calls === 1)
        return { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' } }
      return calls === 2 ? 'destroy' : undefined
    })
    const run = await client().startRun()
    run.logMetric('loss', 0.5)
    await run.end()
    assert.equal(fake.to('runs/log-batch').length, 3)
    assert.equal(fake.runs.get(run.runId)!.metrics.length, 1)
    assert.equal(fake.runs.get(run.runId)!.info.status, 'FINISHED')
  })

  it('surfaces a refused batch on end(), calls onError, and still ends the run', async () => {
    const seen: Array<[Error, LogErrorContext]> = []
    fake.intercept((r) => {
      if (r.endpoint !== 'runs/log-batch') return undefined
      return { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad metric' } }
    })
    const run = await client({ onError: (e, c) => seen.push([e, c]) }).startRun()
    run.logMetric('loss', 1)
    run.logParam('lr', 1)
    await assert.rejects(run.end(), (error: unknown) => {
      assert.ok(error instanceof PlinthApiError)
      assert.equal(error.status, 400)
      assert.equal(error.errorCode, 'INVALID_PARAMETER_VALUE')
      assert.equal(error.message, 'bad metric')
      return true
    })
    assert.equal(fake.to('runs/log-batch').length, 1)
    assert.equal(seen.length, 1)
    assert.deepEqual(seen[0]![1], { runId: run.runId, dropped: 2 })
    assert.equal(fake.runs.get(run.runId)!.info.status, 'FINISHED')
  })

  it('rejects the next flush() with a failure, once, and keeps sending later items', async () => {
    let refuse = true
    fake.intercept((r) => {
      if (r.endpoint !== 'runs/log-batch' || !refuse) return undefined
      refuse = false
      return { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'no' } }
    })
    const run = await client().startRun()
    run.logParam('lr', 1)
    await assert.rejects(run.flush(), /no/)
    run.logParam('lr', 2) // the refused value was never logged, so a new one is allowed
    await run.flush()
    assert.equal(fake.runs.get(run.runId)!.params.get('lr'), '2')
    await run.end()
  })

  it('refuses to log after end()', async () => {
    const run = await client().startRun()
    await run.end()
    assert.throws(() => run.logMetric('x', 1), /has ended/)
    assert.throws(() => run.logParam('x', 1), /has ended/)
  })
})
