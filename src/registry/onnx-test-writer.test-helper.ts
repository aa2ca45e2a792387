/**
 * ONNX ModelProto bytes with chosen inputs and outputs for registry tests, so they need no .onnx
 * fixture files; field helpers for tests that write malformed messages by hand. Built on the
 * training export's production protobuf writer.
 */
import { encodeOnnxModel } from '../training/onnx/onnx-model-builder.js'
import { bytesField, varint as encodeVarint, varintField } from '../training/onnx/protobuf-writer.js'

export function varint(value: number | bigint): Buffer {
  return Buffer.from(encodeVarint(value))
}

/** A varint field. */
export function vField(field: number, value: number | bigint): Buffer {
  return Buffer.from(varintField(field, value))
}

/** A length-delimited field (string, bytes or embedded message). */
export function lField(field: number, content: Buffer | string): Buffer {
  return Buffer.from(bytesField(field, content))
}

export interface TestTensor {
  name: string
  /** TensorProto.DataType number: 1 FLOAT, 7 INT64, ... */
  elemType: number
  /** A number is dim_value, a string dim_param; undefined leaves the shape out (unknown rank). */
  dims?: Array<number | string>
}

export interface TestModel {
  inputs: TestTensor[]
  outputs: TestTensor[]
  /** Names of initializers (weights); each is also listed as a graph input, as old exporters did. */
  initializers?: string[]
  irVersion?: number
  opset?: number
  producerName?: string
}

/** ModelProto bytes for a graph with one Identity node (never run; only read). */
export function onnxModel(model: TestModel): Buffer {
  const initializers = model.initializers ?? []
  return Buffer.from(encodeOnnxModel({
    nodes: [{ opType: 'Identity', inputs: [model.inputs[0]?.name ?? 'x'], outputs: [model.outputs[0]?.name ?? 'y'] }],
    graphName: 'test-graph',
    // Weights with raw_data the reader must skip by length.
    initializers: initializers.map((name) => ({ name, dims: [4], data: new Float32Array(4) })),
    inputs: model.inputs.map((t) => ({ name: t.name, elemType: t.elemType, ...(t.dims ? { shape: t.dims } : {}) })),
    initializerInputs: initializers.map((name) => ({ name, elemType: 1, shape: [4] })),
    outputs: model.outputs.map((t) => ({ name: t.name, elemType: t.elemType, ...(t.dims ? { shape: t.dims } : {}) })),
    irVersion: model.irVersion ?? 8,
    producerName: model.producerName ?? 'plinth-test',
    producerVersion: '1.0',
    opsetImports: [{ domain: '', version: model.opset ?? 17 }],
  }))
}

/** The model most tests register: FP32 [batch, 8] and INT64 [1] in, FP32 [batch, 1] out. */
export function sampleOnnxModel(producerName = 'plinth-test'): Buffer {
  return onnxModel({
    inputs: [
      { name: 'features', elemType: 1, dims: ['batch', 8] },
      { name: 'segment', elemType: 7, dims: [1] },
    ],
    outputs: [{ name: 'score', elemType: 1, dims: ['batch', 1] }],
    initializers: ['dense.weight'],
    producerName,
  })
}
