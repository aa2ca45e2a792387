/**
 * Writes tiny ONNX models for tests (a protobuf writer for the few ModelProto fields needed), so
 * the engine can be tested on shapes the backend test data lacks: undeclared shapes, symbolic
 * batch dimensions, several inputs.
 */

export interface ValueSpec {
  name: string
  /** TensorProto.DataType (1 FP32, 7 INT64, 8 STRING, 9 BOOL, 10 FP16…). */
  elemType: number
  /** Sizes or symbolic names; undefined writes no shape at all. */
  shape?: Array<number | string>
  /** Declares a sequence of such tensors instead of a tensor. */
  sequence?: boolean
}

export interface NodeSpec {
  opType: string
  inputs: string[]
  outputs: string[]
}

export interface ModelSpec {
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  nodes: NodeSpec[]
  opset?: number
}

const utf8 = new TextEncoder()

function varint(value: number): number[] {
  const out: number[] = []
  // Negative int64 values go on the wire as their 64-bit two's complement (10 bytes).
  let v = BigInt.asUintN(64, BigInt(value))
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return out
}

const int = (field: number, value: number) => [...varint(field * 8), ...varint(value)]
const bytes = (field: number, payload: number[] | Uint8Array) => [...varint(field * 8 + 2), ...varint(payload.length), ...payload]
const str = (field: number, text: string) => bytes(field, utf8.encode(text))

function valueInfo(v: ValueSpec): number[] {
  const dims = v.shape?.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d))).flat()
  const tensor = [...int(1, v.elemType), ...(dims ? bytes(2, dims) : [])]
  const type = bytes(1, tensor)
  return [...str(1, v.name), ...bytes(2, v.sequence ? bytes(4, bytes(1, type)) : type)]
}

function node(n: NodeSpec): number[] {
  return [...n.inputs.flatMap((i) => str(1, i)), ...n.outputs.flatMap((o) => str(2, o)), ...str(4, n.opType)]
}

export function writeOnnxModel(spec: ModelSpec): Uint8Array {
  const graph = [
    ...spec.nodes.flatMap((n) => bytes(1, node(n))),
    ...str(2, 'test'),
    ...spec.inputs.flatMap((v) => bytes(11, valueInfo(v))),
    ...spec.outputs.flatMap((v) => bytes(12, valueInfo(v))),
  ]
  return Uint8Array.from([...int(1, 8), ...bytes(8, [...str(1, ''), ...int(2, spec.opset ?? 13)]), ...bytes(7, graph)])
}
