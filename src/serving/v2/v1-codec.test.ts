import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ModelSignature, Tensor } from '../tensor-types.js'
import { decodeV1PredictRequest, encodeV1PredictResponse } from './v1-codec.js'

const single: ModelSignature = { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] }
const pair: ModelSignature = {
  inputs: [{ name: 'a', datatype: 'INT64', shape: [-1] }, { name: 'b', datatype: 'BYTES', shape: [-1, 1] }],
  outputs: [],
}

describe('decodeV1PredictRequest', () => {
  it('should refuse instances nested far deeper than any tensor rather than overflow the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + '1' + ']'.repeat(100_000))
    assert.throws(() => decodeV1PredictRequest({ instances: deep }, single), /input 'x': the values nest more than 64 arrays deep/)
  })

  it('should stack instances into a batch for a single-input model', () => {
    const [x] = decodeV1PredictRequest({ instances: [[1, 2], [3, 4], [5, 6]] }, single)
    assert.deepEqual(x!.shape, [3, 2])
    assert.deepEqual(x!.data, Float32Array.from([1, 2, 3, 4, 5, 6]))
  })

  it('should read columnar inputs, whole or by name', () => {
    assert.deepEqual(decodeV1PredictRequest({ inputs: [[1, 2]] }, single)[0]!.shape, [1, 2])
    const [a, b] = decodeV1PredictRequest({ inputs: { a: [1, 2], b: [['p'], ['q']] } }, pair)
    assert.deepEqual(a!.data, BigInt64Array.from([1n, 2n]))
    assert.deepEqual(b!.shape, [2, 1])
  })

  it('should read named instances for a model with several inputs, padding scalars to [n, 1]', () => {
    const [a, b] = decodeV1PredictRequest({ instances: [{ a: 1, b: 'p' }, { a: 2, b: 'q' }] }, pair)
    assert.deepEqual(a!.shape, [2])
    assert.deepEqual(b!.shape, [2, 1])
    assert.deepEqual(b!.data, ['p', 'q'])
  })

  it('should refuse ragged rows, wrong widths, unknown or missing inputs', () => {
    assert.throws(() => decodeV1PredictRequest({ instances: [[1, 2], [3]] }, single), /rows are not rectangular/)
    assert.throws(() => decodeV1PredictRequest({ instances: [[1, 2, 3]] }, single), /nest as \[1, 3\], which does not fit the model's \[-1, 2\]/)
    assert.throws(() => decodeV1PredictRequest({ instances: [{ a: 1, c: 'p' }] }, pair), /'c' is not an input of this model/)
    assert.throws(() => decodeV1PredictRequest({ instances: [{ a: 1 }] }, pair), /instances\[0\] has no value for input 'b'/)
    assert.throws(() => decodeV1PredictRequest({ instances: [1, 2] }, pair), /send each row as an object/)
    assert.throws(() => decodeV1PredictRequest({ instances: [[1, 'x']] }, single), /element 1 is "x"; FP32 needs a number/)
    assert.throws(() => decodeV1PredictRequest({ instances: [], inputs: [] }, single), /exactly one of "instances"/)
  })
})

describe('encodeV1PredictResponse', () => {
  const y: Tensor = { name: 'y', datatype: 'FP32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }
  const label: Tensor = { name: 'label', datatype: 'INT64', shape: [2], data: BigInt64Array.from([0n, 1n]) }

  it('should return one value per row for a single output', () => {
    assert.deepEqual(encodeV1PredictResponse([y]), { predictions: [[1, 2], [3, 4]] })
  })

  it('should return row objects for several batched outputs', () => {
    assert.deepEqual(encodeV1PredictResponse([y, label]), { predictions: [{ y: [1, 2], label: 0 }, { y: [3, 4], label: 1 }] })
  })

  it('should return a scalar output as a one-element list', () => {
    assert.deepEqual(encodeV1PredictResponse([{ name: 's', datatype: 'FP64', shape: [], data: Float64Array.from([0.5]) }]), { predictions: [0.5] })
  })
})
