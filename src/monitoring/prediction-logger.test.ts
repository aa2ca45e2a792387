import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PlinthMetrics } from '../observability/metrics-registry.js'
import type { Tensor } from '../serving/tensor-types.js'
import { PredictionLogMetrics } from './prediction-log-metrics.js'
import type { PredictionLog, PredictionLogStore } from './prediction-log-store.js'
import { PredictionLogger, type ServedPrediction } from './prediction-logger.js'
import { packPredictions, unpackPredictions } from './packed-predictions.js'
import { newPredictionId } from './prediction-ids.js'
import { tensorsToColumns } from './tensor-columns.js'

/** An in-memory store whose writes can be held or made to fail. */
class FakeStore implements PredictionLogStore {
  batches: PredictionLog[][] = []
  failures = 0
  gate: Promise<void> | undefined
  async appendBatch(logs: readonly PredictionLog[]): Promise<void> {
    await this.gate
    if (this.failures > 0) {
      this.failures--
      throw new Error('database unreachable')
    }
    this.batches.push([...logs])
  }
  async list() {
    return { items: this.batches.flat() }
  }
  async getMany(ids: readonly string[]) {
    return this.batches.flat().filter((l) => ids.includes(l.predictionId))
  }
  async deleteOlderThan() {
    return 0
  }
}

const x: Tensor<'FP32'> = { name: 'x', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }
const y: Tensor<'INT64'> = { name: 'y', datatype: 'INT64', shape: [2], data: new BigInt64Array([1n, 0n]) }

function prediction(i: number): ServedPrediction {
  return { predictionId: `p-${i}`, model: 'm', version: '1', time: 1000 + i, latencyMs: 1, inputs: [x], outputs: [y] }
}

async function count(metrics: PlinthMetrics, name: string, outcome?: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get()
  return metric.values.filter((v) => outcome === undefined || v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0)
}

function setup(options: Partial<ConstructorParameters<typeof PredictionLogger>[0]> = {}) {
  const metrics = new PlinthMetrics()
  const store = new FakeStore()
  const logger = new PredictionLogger({ store, metrics: new PredictionLogMetrics(metrics), retryBaseMs: 1, ...options })
  return { metrics, store, logger }
}

describe('PredictionLogger', () => {
  it('should write in batches of at most maxBatch and count every record logged', async () => {
    const { metrics, store, logger } = setup({ maxBatch: 3 })
    for (let i = 0; i < 7; i++) logger.record(prediction(i))
    await logger.flush()
    assert.deepEqual(store.batches.map((b) => b.length), [3, 3, 1])
    assert.deepEqual(store.batches.flat().map((l) => l.predictionId), ['p-0', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'])
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'logged'), 7)
    assert.equal(await count(metrics, 'plinth_prediction_log_buffer_records'), 0)
  })

  it('should write a lone record after the flush interval without being asked', async () => {
    const { store, logger } = setup({ flushIntervalMs: 10 })
    logger.record(prediction(1))
    assert.equal(store.batches.length, 0)
    await new Promise((resolve) => setTimeout(resolve, 60))
    assert.deepEqual(store.batches.map((b) => b.length), [1])
  })

  it('should turn tensors into columns when it writes', async () => {
    const { store, logger } = setup()
    logger.record({ ...prediction(1), deployment: 'api' })
    await logger.flush()
    const [log] = store.batches[0]!
    assert.deepEqual(log, {
      predictionId: 'p-1', model: 'm', version: '1', deployment: 'api', time: 1001, rows: 2, latencyMs: 1,
      inputs: { 'x[0]': [1, 3], 'x[1]': [2, 4] }, outputs: { y: [1, 0] },
    })
  })

  it('should drop and count records past the buffer size while a write is slow, never waiting', async () => {
    const { metrics, store, logger } = setup({ bufferSize: 5, maxBatch: 2 })
    let open!: () => void
    store.gate = new Promise((resolve) => (open = resolve))
    for (let i = 0; i < 8; i++) logger.record(prediction(i))
    assert.equal(logger.pending, 5)
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'dropped'), 3)
    assert.equal(await count(metrics, 'plinth_prediction_log_buffer_records'), 2)
    open()
    await logger.flush()
    assert.equal(store.batches.flat().length, 5)
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'logged'), 5)
  })

  it('should retry a failed write with backoff and count the failed attempts', async () => {
    const { metrics, store, logger } = setup({ maxAttempts: 5 })
    store.failures = 2
    logger.record(prediction(1))
    await logger.flush()
    assert.equal(store.batches.flat().length, 1)
    assert.equal(await count(metrics, 'plinth_prediction_log_write_errors_total'), 2)
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'failed'), 0)
  })

  it('should count a batch failed once its attempts are spent, and warn', async () => {
    const warnings: string[] = []
    const { metrics, store, logger } = setup({ maxAttempts: 3, warn: (m) => warnings.push(m) })
    store.failures = 10
    logger.record(prediction(1))
    logger.record(prediction(2))
    await logger.flush()
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'failed'), 2)
    assert.equal(warnings.length, 3)
    assert.match(warnings[2]!, /giving up\): database unreachable/)
  })

  it('should log the configured share of predictions and count the rest sampled out', async () => {
    let n = 0
    const { metrics, store, logger } = setup({ sampleRate: 0.25, random: () => (n++ % 4) / 4 })
    for (let i = 0; i < 8; i++) logger.record(prediction(i))
    await logger.flush()
    assert.deepEqual(store.batches.flat().map((l) => l.predictionId), ['p-0', 'p-4'])
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'sampled_out'), 6)
  })

  it('should write what is buffered on close and drop what comes after', async () => {
    const { metrics, store, logger } = setup({ flushIntervalMs: 60_000 })
    logger.record(prediction(1))
    await logger.close()
    logger.record(prediction(2))
    assert.deepEqual(store.batches.flat().map((l) => l.predictionId), ['p-1'])
    assert.equal(await count(metrics, 'plinth_prediction_logs_total', 'dropped'), 1)
  })
})

describe('tensorsToColumns', () => {
  it('should flatten every datatype into JSON-safe columns', () => {
    const columns = tensorsToColumns([
      { name: 'f', datatype: 'FP64', shape: [3], data: new Float64Array([1.5, NaN, Infinity]) },
      { name: 'b', datatype: 'BOOL', shape: [3, 1], data: new Uint8Array([1, 0, 1]) },
      { name: 's', datatype: 'BYTES', shape: [3], data: ['a', 'b', 'c'] },
      { name: 'i', datatype: 'INT64', shape: [3], data: new BigInt64Array([1n, -(2n ** 60n), 7n]) },
      { name: 'h', datatype: 'FP16', shape: [3], data: new Uint16Array([0x3c00, 0x4000, 0x7e00]) },
      { name: 't', datatype: 'INT32', shape: [3, 2, 1], data: new Int32Array([1, 2, 3, 4, 5, 6]) },
    ])
    assert.deepEqual(columns, {
      f: [1.5, null, null],
      'b[0]': [true, false, true],
      s: ['a', 'b', 'c'],
      i: [1, '-1152921504606846976', 7],
      h: [1, 2, null],
      't[0]': [1, 3, 5],
      't[1]': [2, 4, 6],
    })
  })

  it('should make one row of a scalar', () => {
    assert.deepEqual(tensorsToColumns([{ name: 'v', datatype: 'FP32', shape: [], data: new Float32Array([2]) }]), { v: [2] })
  })
})

describe('packPredictions', () => {
  it('should carry every field and datatype to the writer thread unchanged', () => {
    const batch: ServedPrediction[] = [
      { ...prediction(1), deployment: 'api', error: 'INVALID_PARAMETER_VALUE' },
      {
        predictionId: 'p-2', model: 'm', version: '2', time: 5, latencyMs: 0.25,
        inputs: [
          { name: 'b', datatype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
          { name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'é'] },
          { name: 'd', datatype: 'FP64', shape: [1, 2], data: new Float64Array([0.1, -2]) },
          { name: 'h', datatype: 'FP16', shape: [1], data: new Uint16Array([0x3c00]) },
        ],
        outputs: [{ name: 'i', datatype: 'UINT64', shape: [], data: new BigUint64Array([2n ** 63n]) }],
      },
    ]
    const packed = packPredictions(batch)
    assert.deepEqual(unpackPredictions(structuredClone(packed, { transfer: [packed.bytes] })), batch)
  })
})

describe('newPredictionId', () => {
  it('should make version 7 UUIDs that sort by their millisecond', () => {
    const early = newPredictionId(Date.UTC(2026, 0, 1))
    const late = newPredictionId(Date.UTC(2026, 0, 1) + 1)
    assert.match(early, /^019b76da-a800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.ok(early < late)
    assert.notEqual(newPredictionId(5), newPredictionId(5))
  })
})
