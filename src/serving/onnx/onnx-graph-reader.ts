import { ProtobufReader, WIRE_LEN, WIRE_VARINT } from '../../shared/protobuf-wire.js'

/**
 * Reads the declared inputs and outputs of an ONNX ModelProto. onnxruntime's metadata reports
 * `shape: []` both for a scalar and for a tensor whose shape is not declared at all; only the
 * model file tells them apart, and treating "undeclared" as "scalar" would reject every request.
 *
 * ModelProto.graph 7 → GraphProto input 11, output 12 → ValueInfoProto name 1, type 2 →
 * TypeProto tensor_type 1, sequence_type 4, map_type 5, sparse_tensor_type 8, optional_type 9 →
 * Tensor elem_type 1, shape 2 → TensorShapeProto dim 1 → dim_value 1 | dim_param 2.
 */
export interface GraphValueInfo {
  name: string
  /** 'tensor', or the non-tensor kind V2 cannot carry. */
  kind: 'tensor' | 'sequence' | 'map' | 'sparse_tensor' | 'optional' | 'unknown'
  /** TensorProto.DataType; 0 when not a tensor. */
  elemType: number
  /** -1 for symbolic or missing dims; undefined when no shape is declared. */
  shape: number[] | undefined
}

const KINDS: Readonly<Record<number, GraphValueInfo['kind']>> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional' }

export function readGraphValueInfos(model: Uint8Array): { inputs: GraphValueInfo[]; outputs: GraphValueInfo[] } {
  const inputs: GraphValueInfo[] = []
  const outputs: GraphValueInfo[] = []
  const r = new ProtobufReader(model)
  while (!r.atEnd()) {
    const { field, wire } = r.tag()
    if (field !== 7 || wire !== WIRE_LEN) {
      r.skip(wire)
      continue
    }
    const graph = r.message()
    while (!graph.atEnd()) {
      const t = graph.tag()
      if ((t.field === 11 || t.field === 12) && t.wire === WIRE_LEN) (t.field === 11 ? inputs : outputs).push(readValueInfo(graph.message()))
      else graph.skip(t.wire)
    }
  }
  return { inputs, outputs }
}

function readValueInfo(r: ProtobufReader): GraphValueInfo {
  const info: GraphValueInfo = { name: '', kind: 'unknown', elemType: 0, shape: undefined }
  while (!r.atEnd()) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === WIRE_LEN) info.name = r.string()
    else if (field === 2 && wire === WIRE_LEN) readType(r.message(), info)
    else r.skip(wire)
  }
  return info
}

function readType(r: ProtobufReader, info: GraphValueInfo): void {
  while (!r.atEnd()) {
    const { field, wire } = r.tag()
    const kind = KINDS[field]
    if (kind === undefined || wire !== WIRE_LEN) {
      r.skip(wire)
      continue
    }
    info.kind = kind
    if (kind !== 'tensor') {
      r.skip(wire)
      continue
    }
    const tensor = r.message()
    while (!tensor.atEnd()) {
      const t = tensor.tag()
      if (t.field === 1 && t.wire === WIRE_VARINT) info.elemType = tensor.int32()
      else if (t.field === 2 && t.wire === WIRE_LEN) info.shape = readShape(tensor.message())
      else tensor.skip(t.wire)
    }
  }
}

function readShape(r: ProtobufReader): number[] {
  const shape: number[] = []
  while (!r.atEnd()) {
    const { field, wire } = r.tag()
    if (field !== 1 || wire !== WIRE_LEN) {
      r.skip(wire)
      continue
    }
    const dim = r.message()
    let size = -1
    while (!dim.atEnd()) {
      const t = dim.tag()
      if (t.field === 1 && t.wire === WIRE_VARINT) size = dim.int64Number()
      else dim.skip(t.wire)
    }
    // Some exporters write a negative dim_value for "unknown"; a dim_param reads as -1 too.
    shape.push(size >= 0 ? size : -1)
  }
  return shape
}
