import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import type { ModelSignature, Tensor } from '../tensor-types.js'
import { decodeV2InferRequest, encodeV2InferResponse, encodeV2ModelMetadata } from './v2-codec.js'

const signature: ModelSignature = {
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [-1, 3] },
    { name: 'ids', datatype: 'INT64', shape: [-1] },
  ],
  outputs: [
    { name: 'y', datatype: 'FP32', shape: [-1, 2] },
    { name: 'label', datatype: 'INT64', shape: [-1] },
  ],
}

const x = { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }
const ids = { name: 'ids', shape: [2], datatype: 'INT64', data: [7, 8] }

function rejects(body: unknown, pattern: RegExp, sig: ModelSignature = signature, options = {}): void {
  assert.throws(
    () => decodeV2InferRequest(body, sig, options),
    (error: unknown) => {
      assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`)
      assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
      assert.match(error.message, pattern)
      return true
    },
  )
}

describe('decodeV2InferRequest', () => {
  it('should refuse data nested far deeper than any tensor rather than overflow the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + '1' + ']'.repeat(100_000))
    rejects({ inputs: [{ ...x, data: deep }, ids] }, /input 'x': the values nest more than 64 arrays deep/)
  })

  it('should decode flat and nested data into typed arrays in signature order', () => {
    const request = decodeV2InferRequest({ id: '42', inputs: [ids, { ...x, data: [[1, 2, 3], [4, 5, 6]] }], outputs: [{ name: 'label' }] }, signature)
    assert.equal(request.id, '42')
    assert.deepEqual(request.outputs, ['label'])
    assert.deepEqual(request.inputs.map((t) => t.name), ['x', 'ids'])
    assert.deepEqual(request.inputs[0]!.data, Float32Array.from([1, 2, 3, 4, 5, 6]))
    assert.deepEqual(request.inputs[1]!.data, BigInt64Array.from([7n, 8n]))
  })

  it('should accept NaN, Infinity and null for floats and exact INT64 strings', () => {
    const request = decodeV2InferRequest({ inputs: [{ ...x, data: ['NaN', 'Infinity', '-Infinity', null, 'inf', '1.5'] }, { ...ids, data: ['9223372036854775807', -1] }] }, signature)
    const data = [...(request.inputs[0]!.data as Float32Array)]
    assert.ok(Number.isNaN(data[0]) && Number.isNaN(data[3]))
    assert.deepEqual([data[1], data[2], data[4], data[5]], [Infinity, -Infinity, Infinity, 1.5])
    assert.deepEqual([...(request.inputs[1]!.data as BigInt64Array)], [9223372036854775807n, -1n])
  })

  it('should decode every datatype', () => {
    const all: ModelSignature = {
      inputs: (['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'FP16', 'FP64', 'BYTES'] as const).map((d) => ({ name: d, datatype: d, shape: [2] })),
      outputs: [],
    }
    const values: Record<string, unknown[]> = {
      BOOL: [true, false], UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], UINT64: [0, '18446744073709551615'],
      INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647], FP16: [1.5, 65504], FP64: [0.1, -2], BYTES: ['a', 'é'],
    }
    const request = decodeV2InferRequest({ inputs: all.inputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: [2], data: values[s.name] })) }, all)
    const by = Object.fromEntries(request.inputs.map((t) => [t.name, t.data]))
    assert.deepEqual(by.BOOL, Uint8Array.from([1, 0]))
    assert.deepEqual(by.UINT64, BigUint64Array.from([0n, 18446744073709551615n]))
    assert.deepEqual(by.FP16, Uint16Array.from([0x3e00, 0x7bff]))
    assert.deepEqual(by.BYTES, ['a', 'é'])
  })

  it('should refuse a body that is not an object or has no inputs', () => {
    rejects([], /JSON object/)
    rejects({}, /"inputs" must be an array/)
    rejects({ id: 3, inputs: [] }, /"id" must be a string/)
  })

  it('should name the inputs when one is unknown, missing or duplicated', () => {
    rejects({ inputs: [x, ids, { ...ids, name: 'z' }] }, /input 'z' is not an input of this model; its inputs are 'x' \(FP32 \[-1, 3\]\), 'ids'/)
    rejects({ inputs: [x] }, /missing input 'ids' \(INT64 \[-1\]\)/)
    rejects({ inputs: [x, ids, x] }, /input 'x' is given twice/)
  })

  it('should refuse a wrong or unknown datatype', () => {
    rejects({ inputs: [{ ...x, datatype: 'FP64' }, ids] }, /input 'x': datatype is FP64 but the model expects FP32/)
    rejects({ inputs: [{ ...x, datatype: 'FLOAT' }, ids] }, /input 'x': datatype "FLOAT" is not a V2 datatype; use FP32/)
    rejects({ inputs: [{ ...x, datatype: 'BF16' }, ids] }, /BF16 is not supported by onnxruntime/)
  })

  it('should refuse shapes that do not fit the signature', () => {
    rejects({ inputs: [{ ...x, shape: [6] }, ids] }, /input 'x': shape \[6\] does not fit the model's \[-1, 3\]/)
    rejects({ inputs: [{ ...x, shape: [3, 2] }, ids] }, /shape \[3, 2\] does not fit/)
    rejects({ inputs: [{ ...x, shape: [-1, 3] }, ids] }, /whole sizes of 0 or more/)
    rejects({ inputs: [{ ...x, shape: [2.5, 3] }, ids] }, /whole sizes/)
    rejects({ inputs: [{ ...x, shape: '2,3' }, ids] }, /"shape" must be an array/)
  })

  it('should refuse a huge declared shape before reading any data', () => {
    rejects({ inputs: [{ ...x, shape: [1e12, 3], data: [] }, ids] }, /3000000000000 elements, more than the 16777216 allowed/)
    rejects({ inputs: [{ ...x, shape: [4, 3] }, ids] }, /more than the 10 allowed/, signature, { maxElements: 10 })
  })

  it('should refuse data with the wrong number of elements', () => {
    rejects({ inputs: [{ ...x, data: [1, 2, 3] }, ids] }, /input 'x': "data" has 3 elements but shape \[2, 3\] needs 6/)
    rejects({ inputs: [{ ...x, data: [[1, 2, 3], [4, 5, 6], [7]] }, ids] }, /"data" has more than 6 elements/)
    rejects({ inputs: [{ ...x, data: 'abc' }, ids] }, /"data" must be an array/)
  })

  it('should refuse elements of the wrong kind, naming the element', () => {
    rejects({ inputs: [{ ...x, data: [1, 2, 'abc', 4, 5, 6] }, ids] }, /input 'x': element 2 is "abc"; FP32 needs a number/)
    rejects({ inputs: [{ ...x, data: [1, 2, true, 4, 5, 6] }, ids] }, /element 2 is true/)
    rejects({ inputs: [x, { ...ids, data: [1.5, 2] }] }, /input 'ids': element 0 is 1.5; INT64 needs integers \(this one has a fractional part\)/)
    rejects({ inputs: [x, { ...ids, data: ['NaN', 2] }] }, /element 0 is "NaN"; INT64 needs integers \(NaN and infinities have no integer value\)/)
    rejects({ inputs: [x, { ...ids, data: [null, 2] }] }, /NaN and infinities/)
  })

  it('should refuse integers out of the datatype\'s range', () => {
    const u8: ModelSignature = { inputs: [{ name: 'b', datatype: 'UINT8', shape: [-1] }], outputs: [] }
    rejects({ inputs: [{ name: 'b', datatype: 'UINT8', shape: [2], data: [1, 256] }] }, /element 1 is 256, outside UINT8's range 0 to 255/, u8)
    rejects({ inputs: [{ name: 'b', datatype: 'UINT8', shape: [1], data: [-1] }] }, /outside UINT8's range/, u8)
    rejects({ inputs: [x, { ...ids, data: ['9223372036854775808', 1] }] }, /outside INT64's range/)
  })

  it('should refuse unknown requested outputs and binary input data', () => {
    rejects({ inputs: [x, ids], outputs: [{ name: 'nope' }] }, /output 'nope' is not an output of this model; its outputs are 'y'/)
    rejects({ inputs: [{ ...x, parameters: { binary_data_size: 24 } }, ids] }, /binary tensor data/)
  })

  it('should accept any size for -1 dims and any shape for an unknown rank', () => {
    const open: ModelSignature = { inputs: [{ name: 'a', datatype: 'INT32', shape: undefined }], outputs: [] }
    const request = decodeV2InferRequest({ inputs: [{ name: 'a', datatype: 'INT32', shape: [1, 2, 1], data: [1, 2] }] }, open)
    assert.deepEqual(request.inputs[0]!.shape, [1, 2, 1])
    const empty = decodeV2InferRequest({ inputs: [{ ...x, shape: [0, 3], data: [] }, { ...ids, shape: [0], data: [] }] }, signature)
    assert.equal(empty.inputs[0]!.data.length, 0)
  })
})

describe('encodeV2InferResponse', () => {
  it('should encode outputs flat with the id and version, INT64 exact and non-finite floats as strings', () => {
    const outputs: Tensor[] = [
      { name: 'y', datatype: 'FP32', shape: [2, 2], data: Float32Array.from([0.5, NaN, Infinity, -Infinity]) },
      { name: 'label', datatype: 'INT64', shape: [2], data: BigInt64Array.from([3n, 2n ** 60n]) },
      { name: 'ok', datatype: 'BOOL', shape: [1], data: Uint8Array.from([1]) },
      { name: 'h', datatype: 'FP16', shape: [1], data: Uint16Array.from([0x3c00]) },
    ]
    const response = encodeV2InferResponse(outputs, { modelName: 'm', modelVersion: '3', id: '42' })
    assert.deepEqual(JSON.parse(JSON.stringify(response)), {
      model_name: 'm', model_version: '3', id: '42',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [2, 2], data: [0.5, 'NaN', 'Infinity', '-Infinity'] },
        { name: 'label', datatype: 'INT64', shape: [2], data: [3, '1152921504606846976'] },
        { name: 'ok', datatype: 'BOOL', shape: [1], data: [true] },
        { name: 'h', datatype: 'FP16', shape: [1], data: [1] },
      ],
    })
    assert.deepEqual(encodeV2InferResponse(outputs.slice(1, 2), { modelName: 'm' }, { int64: 'number' }).outputs[0]!.data, [3, 2 ** 60])
  })

  it('should describe a model for the metadata endpoint', () => {
    const metadata = encodeV2ModelMetadata('churn', { inputs: [{ name: 'a', datatype: 'FP32', shape: undefined }], outputs: signature.outputs }, { versions: ['1'] })
    assert.deepEqual(metadata, {
      name: 'churn', platform: 'onnx_onnxv1', versions: ['1'],
      inputs: [{ name: 'a', datatype: 'FP32', shape: [-1] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'INT64', shape: [-1] }],
    })
  })
})
