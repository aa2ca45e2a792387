import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { AppError } from '../shared/errors.js'
import { elemTypeName, readOnnxSignature } from './onnx-signature.js'
import { lField, onnxModel, sampleOnnxModel, vField } from './onnx-test-writer.test-helper.js'

function failure(bytes: Uint8Array): AppError {
  try {
    readOnnxSignature(bytes, "Model source 'x'")
  } catch (error) {
    return error as AppError
  }
  return assert.fail('expected the bytes to be refused')
}

describe('readOnnxSignature', () => {
  it('should read two inputs (one with a symbolic batch) and one output, without initializers', () => {
    const signature = readOnnxSignature(sampleOnnxModel())
    assert.deepEqual(signature.inputs, [
      { name: 'features', datatype: 'FP32', shape: [-1, 8], dimParams: ['batch', null] },
      { name: 'segment', datatype: 'INT64', shape: [1] },
    ])
    assert.deepEqual(signature.outputs, [{ name: 'score', datatype: 'FP32', shape: [-1, 1], dimParams: ['batch', null] }])
    assert.equal(signature.irVersion, 8)
    assert.equal(signature.producerName, 'plinth-test')
    assert.equal(signature.producerVersion, '1.0')
    assert.deepEqual(signature.opsetImports, [{ domain: '', version: 17 }])
  })

  it('should leave the shape out when the rank is unknown and name non-tensor types', () => {
    const bytes = onnxModel({ inputs: [{ name: 'x', elemType: 8 }], outputs: [{ name: 'y', elemType: 16, dims: [] }] })
    const signature = readOnnxSignature(bytes)
    assert.deepEqual(signature.inputs, [{ name: 'x', datatype: 'BYTES' }])
    assert.deepEqual(signature.outputs, [{ name: 'y', datatype: 'BF16', shape: [] }])
  })

  it('should map every ONNX element type to its V2 datatype name', () => {
    const expected = { 1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'BYTES', 9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64', 16: 'BF16' }
    for (const [number, name] of Object.entries(expected)) assert.equal(elemTypeName(Number(number)), name)
    assert.equal(elemTypeName(99), 'ONNX_TYPE_99')
  })

  it('should read a negative dim_value written as a ten-byte varint', () => {
    const bytes = onnxModel({ inputs: [{ name: 'x', elemType: 1, dims: [-1, 3] }], outputs: [{ name: 'y', elemType: 1 }] })
    assert.deepEqual(readOnnxSignature(bytes).inputs[0]!.shape, [-1, 3])
  })

  it('should refuse files that are not ONNX models with INVALID_PARAMETER_VALUE and a reason', () => {
    const text = failure(Buffer.from('hello, I am not a model\n'))
    assert.equal(text.code, 'INVALID_PARAMETER_VALUE')
    assert.match(text.message, /^Model source 'x' is not a loadable ONNX model: /)
    assert.match(failure(Buffer.alloc(0)).message, /no ir_version.*empty/)
    assert.match(failure(Buffer.from('PK\x03\x04rest-of-a-zip')).message, /zip archive/)
    assert.match(failure(vField(1, 8)).message, /no graph/)
    const noInputs = Buffer.concat([vField(1, 8), lField(7, lField(12, Buffer.concat([lField(1, 'y'), lField(2, lField(1, vField(1, 1)))])))])
    assert.match(failure(noInputs).message, /no inputs/)
    const truncated = sampleOnnxModel().subarray(0, 40)
    assert.match(failure(truncated).message, /runs past the end|truncated/)
  })

  it('should treat inputs that are initializers as weights, not inputs', () => {
    const bytes = onnxModel({ inputs: [{ name: 'x', elemType: 1, dims: [2] }], outputs: [{ name: 'y', elemType: 1, dims: [2] }], initializers: ['w', 'b'] })
    assert.deepEqual(readOnnxSignature(bytes).inputs.map((i) => i.name), ['x'])
  })
})

const TESTDATA = '/usr/share/libonnx-testdata/data'

/** TensorProto name (8) and data_type (2) of a test_data_set input file. */
function tensorNameAndType(bytes: Buffer): { name: string; dataType: number } {
  let pos = 0
  const varint = () => {
    let value = 0
    let scale = 1
    for (;;) {
      const byte = bytes[pos++]!
      value += (byte & 0x7f) * scale
      scale *= 128
      if (byte < 0x80) return value
    }
  }
  const out = { name: '', dataType: 0 }
  while (pos < bytes.length) {
    const key = varint()
    const wire = key % 8
    const field = Math.floor(key / 8)
    if (wire === 0) {
      const value = varint()
      if (field === 2) out.dataType = value
    } else if (wire === 2) {
      const length = varint()
      if (field === 8) out.name = bytes.subarray(pos, pos + length).toString('utf8')
      pos += length
    } else if (wire === 5) pos += 4
    else if (wire === 1) pos += 8
    else throw new Error(`wire type ${wire}`)
  }
  return out
}

function realModels(): string[] {
  if (!existsSync(TESTDATA)) return []
  const picked: string[] = []
  for (const group of ['node', 'pytorch-converted', 'pytorch-operator', 'simple']) {
    const dir = join(TESTDATA, group)
    if (!existsSync(dir)) continue
    const models = readdirSync(dir).sort().map((name) => join(dir, name)).filter((d) => existsSync(join(d, 'model.onnx')) && existsSync(join(d, 'test_data_set_0', 'input_0.pb')))
    // Every 15th model keeps the suite quick while covering many operators and exporters.
    picked.push(...models.filter((_, i) => i % 15 === 0))
  }
  return picked
}

describe('readOnnxSignature on real models (Debian libonnx-testdata)', { skip: existsSync(TESTDATA) ? undefined : `${TESTDATA} is not installed (apt-get install libonnx-testdata)` }, () => {
  const models = realModels()

  it('should find real models to read', () => {
    assert.ok(models.length >= 20, `only ${models.length} models found`)
  })

  it('should give the inputs that the test data sets feed, by name and datatype, in order', () => {
    let compared = 0
    for (const dir of models) {
      const signature = readOnnxSignature(readFileSync(join(dir, 'model.onnx')), dir)
      const files = readdirSync(join(dir, 'test_data_set_0')).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => Number(a.slice(6, -3)) - Number(b.slice(6, -3)))
      assert.equal(signature.inputs.length, files.length, `${dir}: ${signature.inputs.map((i) => i.name).join(',')}`)
      files.forEach((file, i) => {
        const input = signature.inputs[i]!
        // Sequence, map and optional inputs are stored as other protos than TensorProto.
        if (['SEQUENCE', 'MAP', 'OPTIONAL'].includes(input.datatype)) return
        const tensor = tensorNameAndType(readFileSync(join(dir, 'test_data_set_0', file)))
        if (tensor.name !== '') assert.equal(input.name, tensor.name, `${dir} ${file}`)
        if (tensor.dataType !== 0) assert.equal(input.datatype, elemTypeName(tensor.dataType), `${dir} ${file}`)
        compared += 1
      })
      assert.ok(signature.outputs.length > 0, dir)
    }
    assert.ok(compared >= 20)
  })
})
