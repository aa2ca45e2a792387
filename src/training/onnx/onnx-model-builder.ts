import {
  bytesField, concatBytes, float32Bytes, floatField, int64Bytes, messageField, packedFloatsField, packedVarintsField, varintField,
} from './protobuf-writer.js'

/**
 * ONNX ModelProto bytes from a plain description of the graph (onnx/onnx.proto field numbers).
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8,
 * metadata_props 14. GraphProto: node 1, name 2, initializer 5, input 11, output 12.
 * NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
 * AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20.
 * TensorProto: dims 1, data_type 2, name 8, raw_data 9.
 */

/** TensorProto.DataType numbers used here. */
export const ONNX_FLOAT = 1
export const ONNX_INT64 = 7
export const ONNX_STRING = 8

export interface OnnxValueInfo {
  /** Empty writes no name (only tests want that). */
  name: string
  /** TensorProto.DataType (1 FLOAT, 7 INT64, 8 STRING…). */
  elemType: number
  /** Sizes or symbolic names; undefined writes no shape at all (unknown rank). */
  shape?: Array<number | string>
  /** Declares a sequence of such tensors instead of a tensor. */
  sequence?: boolean
}

export type OnnxAttribute =
  | { float: number }
  | { int: number }
  | { string: string }
  | { floats: ArrayLike<number> }
  | { ints: ArrayLike<number | bigint> }
  | { strings: readonly string[] }
  | { tensor: OnnxTensor }

export interface OnnxNode {
  opType: string
  inputs: readonly string[]
  outputs: readonly string[]
  name?: string
  /** '' (default) for the standard operators, 'ai.onnx.ml' for the classical-ML ones. */
  domain?: string
  attributes?: Readonly<Record<string, OnnxAttribute>>
}

export interface OnnxTensor {
  name: string
  dims: readonly number[]
  /** FLOAT for a Float32Array or number[], INT64 for a BigInt64Array. */
  data: Float32Array | BigInt64Array | readonly number[]
  elemType?: number
}

export interface OnnxModelSpec {
  inputs: readonly OnnxValueInfo[]
  outputs: readonly OnnxValueInfo[]
  nodes: readonly OnnxNode[]
  initializers?: readonly OnnxTensor[]
  /** Initializers also declared as graph inputs, as exporters before IR 4 had to. */
  initializerInputs?: readonly OnnxValueInfo[]
  opsetImports?: ReadonlyArray<{ domain: string; version: number }>
  irVersion?: number
  producerName?: string
  producerVersion?: string
  graphName?: string
  /** ModelProto.metadata_props: free key/value strings that travel with the file. */
  metadata?: Readonly<Record<string, string>>
}

/** Default IR 8 and opset 17: what onnxruntime 1.14 and later load, old enough for any runtime in use. */
const DEFAULT_OPSETS = [{ domain: '', version: 17 }]

function valueInfo(v: OnnxValueInfo): Uint8Array {
  const dims = v.shape?.map((d) => messageField(1, [typeof d === 'number' ? varintField(1, d) : bytesField(2, d)]))
  const tensor = messageField(1, [varintField(1, v.elemType), ...(dims ? [messageField(2, dims)] : [])])
  const type = v.sequence ? messageField(4, [messageField(1, [tensor])]) : tensor
  return concatBytes([...(v.name ? [bytesField(1, v.name)] : []), messageField(2, [type])])
}

export function tensorProto(t: OnnxTensor): Uint8Array {
  const int64 = t.data instanceof BigInt64Array || t.elemType === ONNX_INT64
  const raw = int64 ? int64Bytes(t.data as ArrayLike<bigint | number>) : float32Bytes(t.data as ArrayLike<number>)
  return concatBytes([
    ...t.dims.map((d) => varintField(1, d)),
    varintField(2, t.elemType ?? (int64 ? ONNX_INT64 : ONNX_FLOAT)),
    bytesField(8, t.name),
    bytesField(9, raw),
  ])
}

/** AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7, STRINGS 8. */
function attribute(name: string, a: OnnxAttribute): Uint8Array {
  const head = bytesField(1, name)
  if ('float' in a) return concatBytes([head, floatField(2, a.float), varintField(20, 1)])
  if ('int' in a) return concatBytes([head, varintField(3, a.int), varintField(20, 2)])
  if ('string' in a) return concatBytes([head, bytesField(4, a.string), varintField(20, 3)])
  if ('tensor' in a) return concatBytes([head, bytesField(5, tensorProto(a.tensor)), varintField(20, 4)])
  if ('floats' in a) return concatBytes([head, packedFloatsField(7, a.floats), varintField(20, 6)])
  if ('ints' in a) return concatBytes([head, packedVarintsField(8, a.ints), varintField(20, 7)])
  return concatBytes([head, ...a.strings.map((s) => bytesField(9, s)), varintField(20, 8)])
}

function node(n: OnnxNode): Uint8Array {
  return concatBytes([
    ...n.inputs.map((i) => bytesField(1, i)),
    ...n.outputs.map((o) => bytesField(2, o)),
    ...(n.name ? [bytesField(3, n.name)] : []),
    bytesField(4, n.opType),
    ...Object.entries(n.attributes ?? {}).map(([name, a]) => bytesField(5, attribute(name, a))),
    ...(n.domain ? [bytesField(7, n.domain)] : []),
  ])
}

export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const graph = [
    ...spec.nodes.map((n) => bytesField(1, node(n))),
    bytesField(2, spec.graphName ?? 'plinth'),
    ...(spec.initializers ?? []).map((t) => bytesField(5, tensorProto(t))),
    ...spec.inputs.map((v) => bytesField(11, valueInfo(v))),
    ...(spec.initializerInputs ?? []).map((v) => bytesField(11, valueInfo(v))),
    ...spec.outputs.map((v) => bytesField(12, valueInfo(v))),
  ]
  const opsets = (spec.opsetImports ?? DEFAULT_OPSETS).map((o) => messageField(8, [bytesField(1, o.domain), varintField(2, o.version)]))
  const metadata = Object.entries(spec.metadata ?? {}).map(([k, v]) => messageField(14, [bytesField(1, k), bytesField(2, v)]))
  return concatBytes([
    varintField(1, spec.irVersion ?? 8),
    ...(spec.producerName ? [bytesField(2, spec.producerName)] : []),
    ...(spec.producerVersion ? [bytesField(3, spec.producerVersion)] : []),
    messageField(7, graph),
    ...opsets,
    ...metadata,
  ])
}
