import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../shared/errors.js'
import { DynamicBatcher } from './dynamic-batcher.js'
import type { BatchObservation } from './dynamic-batcher.js'
import type { LoadedModel } from './inference-engine.js'
import type { ModelSignature, Tensor } from './tensor-types.js'

/** Doubles `x` into `y` and sums each row into `s`; refuses negative values; records calls. */
class FakeModel implements LoadedModel {
  readonly memoryBytes = 0
  readonly calls: Tensor[][] = []
  constructor(
    readonly signature: ModelSignature = {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, -1] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, -1] }, { name: 's', datatype: 'FP64', shape: [-1] }],
    },
    readonly delayMs = 0,
  ) {}

  async infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    this.calls.push(inputs)
    if (this.delayMs) await sleep(this.delayMs)
    const x = inputs[0] as Tensor<'FP32'>
    if (x.data.some((v) => v < 0)) throw new AppError('INVALID_PARAMETER_VALUE', 'negative value')
    const [rows, cols] = x.shape as [number, number]
    const y: Tensor = { name: 'y', datatype: 'FP32', shape: [rows, cols], data: x.data.map((v) => v * 2) }
    const s: Tensor = { name: 's', datatype: 'FP64', shape: [rows], data: Float64Array.from({ length: rows }, (_, r) => x.data.slice(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0)) }
    return (outputNames ?? ['y', 's']).map((n) => (n === 'y' ? y : s))
  }

  async dispose(): Promise<void> {}
}

const rowsOf = (values: number[][]): Tensor => ({ name: 'x', datatype: 'FP32', shape: [values.length, values[0]!.length], data: Float32Array.from(values.flat()) })
const options = { maxBatchSize: 8, maxQueueDelayMs: 20, maxQueueSize: 64 }

describe('DynamicBatcher', () => {
  it('should run concurrent requests as one inference and give each its own rows', async () => {
    const model = new FakeModel()
    const batcher = new DynamicBatcher(model, options)
    const results = await Promise.all([rowsOf([[1, 2]]), rowsOf([[3, 4], [5, 6]]), rowsOf([[7, 8]])].map((x) => batcher.infer([x])))
    assert.equal(model.calls.length, 1)
    assert.deepEqual(model.calls[0]![0]!.shape, [4, 2])
    assert.deepEqual(results.map((r) => [...r[0]!.data]), [[2, 4], [6, 8, 10, 12], [14, 16]])
    assert.deepEqual(results.map((r) => r[1]!.shape), [[1], [2], [1]])
    assert.deepEqual([...results[1]![1]!.data], [7, 11])
  })

  it('should flush as soon as maxBatchSize rows are queued, without waiting for the delay', async () => {
    const model = new FakeModel()
    const batcher = new DynamicBatcher(model, { ...options, maxBatchSize: 4, maxQueueDelayMs: 60_000 })
    const started = performance.now()
    await Promise.all([1, 2, 3, 4].map((v) => batcher.infer([rowsOf([[v]])])))
    assert.ok(performance.now() - started < 1000)
    assert.equal(model.calls.length, 1)
  })

  it('should flush a lone request after maxQueueDelayMs and report the wait', async () => {
    const seen: BatchObservation[] = []
    const batcher = new DynamicBatcher(new FakeModel(), { ...options, maxQueueDelayMs: 30 }, (o) => seen.push(o))
    const started = performance.now()
    await batcher.infer([rowsOf([[1]])])
    assert.ok(performance.now() - started >= 29)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.rows, 1)
    assert.equal(seen[0]!.requests, 1)
    assert.ok(seen[0]!.queueWaitMs >= 29)
  })

  it('should cap batches at maxBatchSize rows', async () => {
    const model = new FakeModel()
    const seen: BatchObservation[] = []
    const batcher = new DynamicBatcher(model, { ...options, maxBatchSize: 3 }, (o) => seen.push(o))
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((v) => batcher.infer([rowsOf([[v]])])))
    assert.deepEqual(seen.map((o) => o.rows), [3, 3, 1])
  })

  it('should batch only requests with the same trailing shape and outputs', async () => {
    const model = new FakeModel()
    const batcher = new DynamicBatcher(model, options)
    const results = await Promise.all([
      batcher.infer([rowsOf([[1, 2]])]),
      batcher.infer([rowsOf([[1, 2, 3]])]),
      batcher.infer([rowsOf([[3, 4]])]),
      batcher.infer([rowsOf([[5, 6]])], ['s']),
    ])
    assert.deepEqual(model.calls.map((c) => c[0]!.shape).sort(), [[1, 2], [1, 3], [2, 2]])
    assert.deepEqual(results[3]!.map((t) => t.name), ['s'])
  })

  it('should fail only the request the model refuses', async () => {
    const model = new FakeModel()
    const batcher = new DynamicBatcher(model, options)
    const results = await Promise.allSettled([rowsOf([[1]]), rowsOf([[-1]]), rowsOf([[2]])].map((x) => batcher.infer([x])))
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
    assert.match(String((results[1] as PromiseRejectedResult).reason), /negative value/)
    assert.deepEqual([...(results[2] as PromiseFulfilledResult<Tensor[]>).value[0]!.data], [4])
  })

  it('should refuse requests with TEMPORARILY_UNAVAILABLE once maxQueueSize rows wait', async () => {
    const batcher = new DynamicBatcher(new FakeModel(undefined, 50), { maxBatchSize: 2, maxQueueDelayMs: 0, maxQueueSize: 4 })
    const running = batcher.infer([rowsOf([[1], [2]])])
    await sleep(5)
    const queued = [batcher.infer([rowsOf([[1], [2]])]), batcher.infer([rowsOf([[1], [2]])])]
    assert.equal(batcher.queuedRows, 4)
    await assert.rejects(batcher.infer([rowsOf([[1]])]), (e: unknown) => e instanceof AppError && e.code === 'TEMPORARILY_UNAVAILABLE' && e.details?.retryAfterSeconds === 1)
    await Promise.all([running, ...queued])
    assert.equal(batcher.queuedRows, 0)
  })

  it('should grow the next batch while the model is busy', async () => {
    const model = new FakeModel(undefined, 30)
    const seen: BatchObservation[] = []
    const batcher = new DynamicBatcher(model, { ...options, maxQueueDelayMs: 0 }, (o) => seen.push(o))
    const first = batcher.infer([rowsOf([[1]])])
    await sleep(5)
    await Promise.all([first, ...[2, 3, 4].map((v) => batcher.infer([rowsOf([[v]])]))])
    assert.deepEqual(seen.map((o) => o.rows), [1, 3])
  })

  it('should call the model directly when batching is off, the model has no batch dim, or a request is too big', async () => {
    const model = new FakeModel()
    assert.equal(new DynamicBatcher(model, undefined).enabled, false)
    assert.equal(new DynamicBatcher(model, { ...options, maxBatchSize: 1 }).enabled, false)
    const fixed = new FakeModel({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2] }] })
    assert.equal(new DynamicBatcher(fixed, options).enabled, false)
    const batcher = new DynamicBatcher(model, { ...options, maxBatchSize: 2, maxQueueDelayMs: 60_000 })
    await batcher.infer([rowsOf([[1], [2], [3]])])
    assert.equal(model.calls.length, 1)
  })

  it('should observe unbatched runs as direct single-request batches', async () => {
    const observed: BatchObservation[] = []
    const batcher = new DynamicBatcher(new FakeModel(), undefined, (o) => observed.push(o))
    await batcher.infer([rowsOf([[1, 2], [3, 4]])])
    await assert.rejects(batcher.infer([rowsOf([[-1, 2]])]))
    assert.deepEqual(observed.map((o) => [o.rows, o.requests, o.queueWaitMs, o.failed, o.direct]), [[2, 1, 0, false, true], [1, 1, 0, true, true]])
  })
})
