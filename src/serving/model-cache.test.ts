import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { AppError } from '../shared/errors.js'
import type { InferenceEngine, LoadedModel } from './inference-engine.js'
import { ModelCache } from './model-cache.js'
import type { ModelCacheEvent, ModelCacheOptions } from './model-cache.js'
import type { ModelSignature, Tensor } from './tensor-types.js'

const signature: ModelSignature = { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }] }

class FakeModel implements LoadedModel {
  readonly signature = signature
  readonly calls: Tensor[][] = []
  disposed = false
  constructor(readonly memoryBytes: number, readonly failWarmUp = false) {}
  async infer(inputs: Tensor[]): Promise<Tensor[]> {
    this.calls.push(inputs)
    if (this.failWarmUp && this.calls.length === 1) throw new Error('zeros are not allowed')
    return [{ ...inputs[0]!, name: 'y' }]
  }
  async dispose(): Promise<void> {
    this.disposed = true
  }
}

/** Model bytes are `key` repeated to the size the test wants; "bad…" keys fail to load. */
class FakeEngine implements InferenceEngine {
  readonly models = new Map<string, FakeModel>()
  loads = 0
  async load(bytes: Uint8Array, options: { label?: string } = {}): Promise<LoadedModel> {
    this.loads++
    await sleep(5)
    if (options.label!.startsWith('bad')) throw new AppError('INVALID_PARAMETER_VALUE', `onnxruntime cannot load ${options.label}: protobuf parsing failed`)
    const model = new FakeModel(bytes.byteLength * 2, options.label!.startsWith('cold'))
    this.models.set(options.label!, model)
    return model
  }
}

class FakeClock {
  t = 1_000_000
  now(): number {
    return this.t
  }
}

function setup(extra: Partial<ModelCacheOptions> = {}) {
  const engine = new FakeEngine()
  const clock = new FakeClock()
  const events: ModelCacheEvent[] = []
  const loaderCalls: string[] = []
  const cache = new ModelCache({
    engine,
    clock,
    loader: async (key) => {
      loaderCalls.push(key)
      if (key === 'missing') throw new AppError('RESOURCE_DOES_NOT_EXIST', 'no such model version')
      return new Uint8Array(50)
    },
    onEvent: (e) => events.push(e),
    ...extra,
  })
  return { cache, engine, clock, events, loaderCalls }
}

const x: Tensor = { name: 'x', datatype: 'FP32', shape: [1, 3], data: Float32Array.from([1, 2, 3]) }

describe('ModelCache', () => {
  it('should load a model once for concurrent first requests', async () => {
    const { cache, engine, loaderCalls } = setup()
    assert.equal(cache.status('m/1'), 'unloaded')
    const pending = Array.from({ length: 5 }, () => cache.infer('m/1', [x]))
    assert.equal(cache.status('m/1'), 'loading')
    const results = await Promise.all(pending)
    assert.equal(results.length, 5)
    assert.equal(engine.loads, 1)
    assert.deepEqual(loaderCalls, ['m/1'])
    assert.equal(cache.status('m/1'), 'ready')
  })

  it('should warm a model up with zeros of batch 1 before it is ready', async () => {
    const { cache, engine, events } = setup()
    const lease = await cache.acquire('m/1')
    const warmUp = engine.models.get('m/1')!.calls[0]![0]!
    assert.deepEqual(warmUp.shape, [1, 3])
    assert.deepEqual(warmUp.data, new Float32Array(3))
    assert.deepEqual(lease.signature, signature)
    lease.release()
    assert.equal(events[0]!.type, 'loaded')
  })

  it('should still serve a model whose warm-up failed, and say why', async () => {
    const { cache } = setup()
    await cache.infer('cold/1', [x])
    assert.equal(cache.status('cold/1'), 'ready')
    assert.match(cache.snapshot()[0]!.warmUpError!, /zeros are not allowed/)
  })

  it('should unload the least recently used idle model when the memory budget is exceeded', async () => {
    const { cache, engine, clock, events } = setup({ memoryBudgetBytes: 250 })
    await cache.infer('a/1', [x])
    clock.t += 10
    await cache.infer('b/1', [x])
    clock.t += 10
    await cache.infer('a/1', [x])
    clock.t += 10
    await cache.infer('c/1', [x])
    assert.deepEqual(['a/1', 'b/1', 'c/1'].map((k) => cache.status(k)), ['ready', 'unloaded', 'ready'])
    assert.equal(engine.models.get('b/1')!.disposed, true)
    assert.equal(cache.usedBytes, 200)
    assert.deepEqual(events.find((e) => e.type === 'unloaded'), { type: 'unloaded', key: 'b/1', reason: 'evicted' })
  })

  it('should never unload a model with requests in flight', async () => {
    const { cache } = setup({ memoryBudgetBytes: 200 })
    const a = await cache.acquire('a/1')
    const b = await cache.acquire('b/1')
    await assert.rejects(cache.acquire('c/1'), (e: unknown) => e instanceof AppError && e.code === 'TEMPORARILY_UNAVAILABLE' && /budget is taken/.test(e.message))
    assert.equal(cache.status('c/1'), 'unloaded')
    assert.deepEqual([cache.status('a/1'), cache.status('b/1')], ['ready', 'ready'])
    a.release()
    b.release()
    await cache.infer('c/1', [x])
    assert.equal(cache.status('c/1'), 'ready')
  })

  it('should remember a failed load with its reason, retry after a growing backoff, and leave other models alone', async () => {
    const { cache, engine, clock, loaderCalls } = setup({ retryBackoffMs: 1000 })
    const failed = (e: unknown) => e instanceof AppError && e.code === 'TEMPORARILY_UNAVAILABLE' && /model bad\/1 failed to load: .*protobuf parsing failed/.test(e.message)
    await assert.rejects(cache.acquire('bad/1'), failed)
    assert.equal(cache.status('bad/1'), 'failed')
    assert.match(cache.failure('bad/1')!.reason, /protobuf parsing failed/)
    await assert.rejects(cache.acquire('bad/1'), (e: unknown) => failed(e) && (e as AppError).details?.retryAfterSeconds === 1)
    assert.equal(loaderCalls.length, 1)
    await cache.infer('good/1', [x])
    assert.equal(cache.status('good/1'), 'ready')
    clock.t += 1000
    await assert.rejects(cache.acquire('bad/1'), failed)
    assert.equal(engine.loads, 3)
    assert.equal(cache.failure('bad/1')!.retryAt - clock.t, 2000)
  })

  it('should pass RESOURCE_DOES_NOT_EXIST through without marking the model failed', async () => {
    const { cache } = setup()
    await assert.rejects(cache.acquire('missing'), (e: unknown) => e instanceof AppError && e.code === 'RESOURCE_DOES_NOT_EXIST')
    assert.equal(cache.status('missing'), 'unloaded')
  })

  it('should refuse a model bigger than the whole budget', async () => {
    const { cache } = setup({ memoryBudgetBytes: 50 })
    await assert.rejects(cache.acquire('a/1'), /more than the whole memory budget of 50/)
    assert.equal(cache.status('a/1'), 'failed')
  })

  it('should unload on request only once the model is idle', async () => {
    const { cache, engine } = setup()
    const lease = await cache.acquire('a/1')
    assert.equal(await cache.unload('a/1'), true)
    assert.equal(engine.models.get('a/1')!.disposed, false)
    lease.release()
    await sleep(1)
    assert.equal(engine.models.get('a/1')!.disposed, true)
    assert.equal(cache.status('a/1'), 'unloaded')
    assert.equal(await cache.unload('a/1'), false)
  })

  it('should batch concurrent requests through the model\'s batcher', async () => {
    const batches: number[] = []
    const { cache, engine } = setup({ batching: { maxBatchSize: 8, maxQueueDelayMs: 10, maxQueueSize: 100 }, onBatch: (_, o) => batches.push(o.rows) })
    await cache.acquire('a/1').then((l) => l.release())
    const results = await Promise.all([1, 2, 3].map(() => cache.infer('a/1', [x])))
    assert.deepEqual(batches, [3])
    assert.equal(engine.models.get('a/1')!.calls.length, 2)
    assert.deepEqual(results.map((r) => r[0]!.shape), [[1, 3], [1, 3], [1, 3]])
    await cache.close()
    assert.equal(cache.status('a/1'), 'unloaded')
  })

  it('should lease a ready model without waiting, and nothing that is not ready', async () => {
    const { cache } = setup()
    assert.equal(cache.tryAcquire('a/1'), undefined)
    const loading = cache.acquire('a/1')
    assert.equal(cache.tryAcquire('a/1'), undefined)
    ;(await loading).release()
    const lease = cache.tryAcquire('a/1')
    assert.ok(lease)
    assert.equal(await cache.unload('a/1'), true)
    assert.equal(cache.status('a/1'), 'ready', 'a leased model stays until released')
    lease.release()
    await sleep(1)
    assert.equal(cache.status('a/1'), 'unloaded')
  })
})
