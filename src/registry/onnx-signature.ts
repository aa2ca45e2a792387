import { AppError } from '../shared/errors.js'
import { ProtobufError, ProtobufReader } from '../shared/protobuf-wire.js'

/**
 * The inputs and outputs of an ONNX model, read straight from its protobuf bytes, so registering
 * a model needs neither onnxruntime nor a protobuf library. Only the fields below are decoded;
 * everything else (nodes, weights) is skipped by length, so a 1 GB model costs a few reads.
 *
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8.
 * GraphProto: initializer 5, input 11, output 12, sparse_initializer 15.
 * ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1, sequence_type 4, map_type 5,
 * opaque_type 7, sparse_tensor_type 8, optional_type 9. Tensor: elem_type 1, shape 2.
 * TensorShapeProto: dim 1 → {dim_value 1, dim_param 2}. TensorProto: name 8.
 */

/** One input or output, in the terms of the V2 inference protocol (KServe / Triton). */
export interface TensorSignature {
  name: string
  /** V2 datatype (FP32, INT64, BYTES…); `SEQUENCE`, `MAP`, `OPTIONAL`, `OPAQUE` for non-tensors. */
  datatype: string
  /** Dimensions, -1 where the size is symbolic or unknown; absent when even the rank is unknown. */
  shape?: number[]
  /** The symbolic name of each dimension (`batch`), null for fixed ones; absent when none is symbolic. */
  dimParams?: Array<string | null>
}

export interface OnnxSignature {
  irVersion: number
  producerName?: string
  producerVersion?: string
  opsetImports: Array<{ domain: string; version: number }>
  /** Graph inputs that are not initializers (weights listed as inputs by old exporters). */
  inputs: TensorSignature[]
  outputs: TensorSignature[]
}

/** TensorProto.DataType numbers to V2 datatype names (ONNX's own name where V2 has none). */
const ELEM_TYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 1: 'FP32', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64',
  8: 'BYTES', 9: 'BOOL', 10: 'FP16', 11: 'FP64', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64',
  15: 'COMPLEX128', 16: 'BF16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
}

export function elemTypeName(elemType: number): string {
  return ELEM_TYPES[elemType] ?? `ONNX_TYPE_${elemType}`
}

function readShape(r: ProtobufReader): { shape: number[]; dimParams: Array<string | null> } {
  const shape: number[] = []
  const dimParams: Array<string | null> = []
  r.fields({
    1: (wire) => {
      const dim = r.messageField(wire, 'TensorShapeProto.dim')
      let size = -1
      let param: string | null = null
      dim.fields({
        1: (w) => (size = dim.varintField(w, 'Dimension.dim_value')),
        2: (w) => (param = dim.stringField(w, 'Dimension.dim_param')),
      })
      // Some exporters write a negative dim_value for "unknown".
      shape.push(size >= 0 ? size : -1)
      dimParams.push(param)
    },
  })
  return { shape, dimParams }
}

/** TypeProto.Tensor (and SparseTensor, which has the same two fields). */
function readTensorType(r: ProtobufReader, spec: TensorSignature): void {
  r.fields({
    1: (wire) => (spec.datatype = elemTypeName(r.varintField(wire, 'TypeProto.Tensor.elem_type'))),
    2: (wire) => {
      const { shape, dimParams } = readShape(r.messageField(wire, 'TypeProto.Tensor.shape'))
      spec.shape = shape
      if (dimParams.some((p) => p !== null)) spec.dimParams = dimParams
    },
  })
}

function readType(r: ProtobufReader, spec: TensorSignature): void {
  const tensor = (wire: number) => readTensorType(r.messageField(wire, 'TypeProto.tensor_type'), spec)
  const other = (kind: string) => (wire: number) => {
    spec.datatype = kind
    r.skip(wire)
  }
  // tensor_type 1 and sparse_tensor_type 8 describe tensors; the other kinds are only named.
  r.fields({ 1: tensor, 4: other('SEQUENCE'), 5: other('MAP'), 7: other('OPAQUE'), 8: tensor, 9: other('OPTIONAL') })
}

function readValueInfo(r: ProtobufReader): TensorSignature {
  const spec: TensorSignature = { name: '', datatype: 'UNDEFINED' }
  r.fields({
    1: (wire) => (spec.name = r.stringField(wire, 'ValueInfoProto.name')),
    2: (wire) => readType(r.messageField(wire, 'ValueInfoProto.type'), spec),
  })
  if (spec.name === '') throw new ProtobufError('a graph input or output has no name')
  return spec
}

/** TensorProto.name (8); a SparseTensorProto keeps its name on its values tensor (1). */
function readTensorName(r: ProtobufReader, sparse: boolean): string {
  let name = ''
  if (sparse) r.fields({ 1: (wire) => (name = readTensorName(r.messageField(wire, 'SparseTensorProto.values'), false)) })
  else r.fields({ 8: (wire) => (name = r.stringField(wire, 'TensorProto.name')) })
  return name
}

function readGraph(r: ProtobufReader): { inputs: TensorSignature[]; outputs: TensorSignature[] } {
  const inputs: TensorSignature[] = []
  const outputs: TensorSignature[] = []
  const initializers = new Set<string>()
  r.fields({
    5: (wire) => initializers.add(readTensorName(r.messageField(wire, 'GraphProto.initializer'), false)),
    11: (wire) => inputs.push(readValueInfo(r.messageField(wire, 'GraphProto.input'))),
    12: (wire) => outputs.push(readValueInfo(r.messageField(wire, 'GraphProto.output'))),
    15: (wire) => initializers.add(readTensorName(r.messageField(wire, 'GraphProto.sparse_initializer'), true)),
  })
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs }
}

function readOpset(r: ProtobufReader): { domain: string; version: number } {
  const opset = { domain: '', version: 0 }
  r.fields({
    1: (wire) => (opset.domain = r.stringField(wire, 'OperatorSetIdProto.domain')),
    2: (wire) => (opset.version = r.varintField(wire, 'OperatorSetIdProto.version')),
  })
  return opset
}

function parse(bytes: Uint8Array): OnnxSignature {
  const r = new ProtobufReader(bytes)
  let irVersion: number | undefined
  let graph: ReturnType<typeof readGraph> | undefined
  const signature: Partial<OnnxSignature> = {}
  const opsetImports: OnnxSignature['opsetImports'] = []
  r.fields({
    1: (wire) => (irVersion = r.varintField(wire, 'ModelProto.ir_version')),
    2: (wire) => (signature.producerName = r.stringField(wire, 'ModelProto.producer_name')),
    3: (wire) => (signature.producerVersion = r.stringField(wire, 'ModelProto.producer_version')),
    7: (wire) => (graph = readGraph(r.messageField(wire, 'ModelProto.graph'))),
    8: (wire) => opsetImports.push(readOpset(r.messageField(wire, 'ModelProto.opset_import'))),
  })
  if (irVersion === undefined || irVersion <= 0) throw new ProtobufError('no ir_version (ModelProto field 1)')
  if (!graph) throw new ProtobufError('no graph (ModelProto field 7)')
  if (graph.inputs.length === 0) throw new ProtobufError('the graph has no inputs besides initializers')
  if (graph.outputs.length === 0) throw new ProtobufError('the graph has no outputs')
  return { ...signature, irVersion, opsetImports, inputs: graph.inputs, outputs: graph.outputs }
}

/** Why bytes that fail to parse are probably something else, when that is recognisable. */
function hint(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8))
  if (head.subarray(0, 2).toString('latin1') === 'PK') return ' (it is a zip archive, e.g. a PyTorch or Keras file; export the model to ONNX first)'
  if (head.subarray(1, 4).toString('latin1') === 'HDF') return ' (it is an HDF5 file, e.g. a Keras model; export the model to ONNX first)'
  if (bytes.length === 0) return ' (the file is empty)'
  return ''
}

/**
 * Reads the signature of an ONNX model.
 * @param what how the file is named in the error, e.g. `Model source 'runs:/…/model'`.
 * @throws AppError INVALID_PARAMETER_VALUE "<what> is not a loadable ONNX model: <reason>" when the
 *   bytes are not a ModelProto, or it has no ir_version, graph, real input or output.
 */
export function readOnnxSignature(bytes: Uint8Array, what = 'The file'): OnnxSignature {
  try {
    return parse(bytes)
  } catch (error) {
    if (!(error instanceof ProtobufError)) throw error
    throw new AppError('INVALID_PARAMETER_VALUE', `${what} is not a loadable ONNX model: ${error.message}${hint(bytes)}.`)
  }
}
