import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { ModelCache } from '../model-cache.js'
import type { Tensor } from '../tensor-types.js'
import { OnnxInferenceEngine } from './onnx-inference-engine.js'
import { writeOnnxModel } from './onnx-model-writer.test-helper.js'

const engine = new OnnxInferenceEngine()
const FP32 = 1
const INT64 = 7
const STRING = 8
const BOOL = 9
const FP16 = 10

const invalidParameter = (pattern: RegExp) => (e: unknown) => e instanceof AppError && e.code === 'INVALID_PARAMETER_VALUE' && pattern.test(e.message)

describe('OnnxInferenceEngine', () => {
  it('should read the signature: symbolic dims as -1, scalars as [], undeclared shapes as any', async () => {
    const model = await engine.load(writeOnnxModel({
      inputs: [{ name: 'x', elemType: FP32, shape: ['batch', 3] }, { name: 's', elemType: INT64, shape: [] }, { name: 'u', elemType: BOOL }],
      outputs: [{ name: 'y', elemType: FP32, shape: ['batch', 3] }, { name: 't', elemType: INT64, shape: [] }, { name: 'v', elemType: BOOL }],
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }, { opType: 'Identity', inputs: ['s'], outputs: ['t'] }, { opType: 'Not', inputs: ['u'], outputs: ['v'] }],
    }))
    assert.deepEqual(model.signature.inputs, [
      { name: 'x', datatype: 'FP32', shape: [-1, 3] },
      { name: 's', datatype: 'INT64', shape: [] },
      { name: 'u', datatype: 'BOOL', shape: undefined },
    ])
    const outputs = await model.infer([
      { name: 'x', datatype: 'FP32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 's', datatype: 'INT64', shape: [], data: BigInt64Array.from([2n ** 62n]) },
      { name: 'u', datatype: 'BOOL', shape: [2, 1, 2], data: Uint8Array.from([1, 0, 0, 1]) },
    ], ['v', 't'])
    assert.deepEqual(outputs.map((o) => [o.name, o.datatype, o.shape]), [['v', 'BOOL', [2, 1, 2]], ['t', 'INT64', []]])
    assert.deepEqual(outputs[0]!.data, Uint8Array.from([0, 1, 1, 0]))
    assert.deepEqual(outputs[1]!.data, BigInt64Array.from([2n ** 62n]))
    await model.dispose()
  })

  it('should carry strings and half floats', async () => {
    const model = await engine.load(writeOnnxModel({
      inputs: [{ name: 'a', elemType: STRING, shape: [-1] }, { name: 'h', elemType: FP16, shape: [2] }],
      outputs: [{ name: 'b', elemType: STRING, shape: [-1] }, { name: 'g', elemType: FP16, shape: [2] }],
      nodes: [{ opType: 'Identity', inputs: ['a'], outputs: ['b'] }, { opType: 'Identity', inputs: ['h'], outputs: ['g'] }],
    }))
    const [b, g] = await model.infer([
      { name: 'a', datatype: 'BYTES', shape: [2], data: ['héllo', ''] },
      { name: 'h', datatype: 'FP16', shape: [2], data: Uint16Array.from([0x3c00, 0x7c00]) },
    ])
    assert.deepEqual(b!.data, ['héllo', ''])
    assert.deepEqual(g!.data, Uint16Array.from([0x3c00, 0x7c00]))
    await model.dispose()
  })

  it('should turn runtime refusals, unknown names and bad models into INVALID_PARAMETER_VALUE', async () => {
    const model = await engine.load(writeOnnxModel({
      inputs: [{ name: 'a', elemType: FP32, shape: ['n'] }, { name: 'b', elemType: FP32, shape: ['m'] }],
      outputs: [{ name: 'c', elemType: FP32 }],
      nodes: [{ opType: 'Add', inputs: ['a', 'b'], outputs: ['c'] }],
    }))
    const a: Tensor = { name: 'a', datatype: 'FP32', shape: [2], data: Float32Array.from([1, 2]) }
    const b: Tensor = { name: 'b', datatype: 'FP32', shape: [3], data: Float32Array.from([1, 2, 3]) }
    await assert.rejects(model.infer([a, b]), invalidParameter(/model could not run on these inputs: .*/))
    await assert.rejects(model.infer([a, { ...b, shape: [2], data: Float32Array.from([1, 2]) }], ['nope']), invalidParameter(/no output named 'nope'; its outputs are 'c'/))
    await assert.rejects(model.infer([a, { ...b, name: 'z' }]), invalidParameter(/no input named 'z'/))
    await model.dispose()
    await assert.rejects(model.infer([a, b]), (e: unknown) => e instanceof AppError && e.code === 'TEMPORARILY_UNAVAILABLE')
    await assert.rejects(engine.load(Uint8Array.from([1, 2, 3]), { label: 'junk/1' }), invalidParameter(/onnxruntime cannot load junk\/1/))
  })

  it('should refuse models with sequence inputs, which V2 cannot carry', async () => {
    const bytes = writeOnnxModel({
      inputs: [{ name: 'seq', elemType: FP32, shape: [-1], sequence: true }],
      outputs: [{ name: 'out', elemType: FP32, shape: [-1], sequence: true }],
      nodes: [{ opType: 'Identity', inputs: ['seq'], outputs: ['out'] }],
      opset: 16,
    })
    await assert.rejects(engine.load(bytes, { label: 's/1' }), invalidParameter(/input 'seq' of model s\/1 is a sequence value; V2 can only carry tensors/))
  })

  it('should batch concurrent requests end to end through the model cache', async () => {
    const bytes = writeOnnxModel({
      inputs: [{ name: 'x', elemType: FP32, shape: ['batch', 2] }],
      outputs: [{ name: 'y', elemType: FP32, shape: ['batch', 2] }],
      nodes: [{ opType: 'Neg', inputs: ['x'], outputs: ['y'] }],
    })
    const rows: number[] = []
    const cache = new ModelCache({ engine, loader: async () => bytes, batching: { maxBatchSize: 16, maxQueueDelayMs: 5, maxQueueSize: 64 }, onBatch: (_, o) => rows.push(o.rows) })
    const requests = Array.from({ length: 6 }, (_, i) => [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([i, i + 0.5]) }] as Tensor[])
    await cache.acquire('neg/1').then((lease) => lease.release())
    const results = await Promise.all(requests.map((inputs) => cache.infer('neg/1', inputs)))
    assert.deepEqual(results.map((r) => [...r[0]!.data]), requests.map((r) => [...r[0]!.data].map((v) => -v)))
    assert.deepEqual(rows, [6])
    await cache.close()
  })
})
