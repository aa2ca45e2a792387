/**
 * A tiny protobuf writer for tests: builds ONNX ModelProto bytes with chosen inputs and outputs,
 * so tests need no .onnx fixture files. Field numbers are ONNX's (see onnx-signature.ts).
 */

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value))
  const bytes: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) byte |= 0x80
    bytes.push(byte)
  } while (v > 0n)
  return Buffer.from(bytes)
}

/** A varint field. */
export function vField(field: number, value: number | bigint): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)])
}

/** A length-delimited field (string, bytes or embedded message). */
export function lField(field: number, content: Buffer | string): Buffer {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  return Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes])
}

export interface TestTensor {
  name: string
  /** TensorProto.DataType number: 1 FLOAT, 7 INT64, ... */
  elemType: number
  /** A number is dim_value, a string dim_param; undefined leaves the shape out (unknown rank). */
  dims?: Array<number | string>
}

function valueInfo(t: TestTensor): Buffer {
  const dims = (t.dims ?? []).map((d) => lField(1, typeof d === 'number' ? vField(1, d) : lField(2, d)))
  const tensorType = Buffer.concat([vField(1, t.elemType), ...(t.dims ? [lField(2, Buffer.concat(dims))] : [])])
  return Buffer.concat([...(t.name ? [lField(1, t.name)] : []), lField(2, lField(1, tensorType))])
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

/** ModelProto bytes for a graph with one Identity-like node (never run; only read). */
export function onnxModel(model: TestModel): Buffer {
  const initializers = model.initializers ?? []
  const graph = Buffer.concat([
    lField(1, Buffer.concat([lField(1, model.inputs[0]?.name ?? 'x'), lField(2, model.outputs[0]?.name ?? 'y'), lField(4, 'Identity')])),
    lField(2, 'test-graph'),
    // A weight with raw_data (field 9) the reader must skip by length.
    ...initializers.map((name) => lField(5, Buffer.concat([vField(1, 4), vField(2, 1), lField(8, name), lField(9, Buffer.alloc(16))]))),
    ...model.inputs.map((t) => lField(11, valueInfo(t))),
    ...initializers.map((name) => lField(11, valueInfo({ name, elemType: 1, dims: [4] }))),
    ...model.outputs.map((t) => lField(12, valueInfo(t))),
  ])
  return Buffer.concat([
    vField(1, model.irVersion ?? 8),
    lField(2, model.producerName ?? 'plinth-test'),
    lField(3, '1.0'),
    lField(7, graph),
    lField(8, Buffer.concat([lField(1, ''), vField(2, model.opset ?? 17)])),
  ])
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
