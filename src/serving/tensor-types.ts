/**
 * Tensors in the terms of the Open Inference Protocol (KServe V2). Every datatype has exactly one
 * in-memory representation (`TensorDataMap`), so codecs, the batcher and engines never guess.
 *
 * BF16 is absent on purpose: onnxruntime-node 1.30 has no bfloat16 tensor type (models using it
 * fail to load with "Unsupported data type: 16"), so accepting it would only move the error.
 */
export const DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
] as const

export type Datatype = (typeof DATATYPES)[number]

/** The one representation of each datatype's elements. FP16 holds IEEE half-float bits. */
export interface TensorDataMap {
  BOOL: Uint8Array
  UINT8: Uint8Array
  UINT16: Uint16Array
  UINT32: Uint32Array
  UINT64: BigUint64Array
  INT8: Int8Array
  INT16: Int16Array
  INT32: Int32Array
  INT64: BigInt64Array
  FP16: Uint16Array
  FP32: Float32Array
  FP64: Float64Array
  BYTES: string[]
}

export type TensorData = TensorDataMap[Datatype]

/** An input or output as a model declares it. */
export interface TensorSpec {
  name: string
  datatype: Datatype
  /**
   * Dimensions; -1 where any size is accepted. `undefined` when the model does not even fix the
   * rank (any shape is accepted).
   */
  shape: number[] | undefined
}

export interface ModelSignature {
  inputs: TensorSpec[]
  outputs: TensorSpec[]
}

/** A tensor with its data; `data.length` is always the product of `shape` (1 for a scalar). */
export interface Tensor<D extends Datatype = Datatype> {
  name: string
  datatype: D
  shape: number[]
  data: TensorDataMap[D]
}

export interface DatatypeInfo {
  /** TensorProto.DataType number. */
  onnxElemType: number
  /** onnxruntime-common `Tensor.Type`. */
  ortType: string
  /** Bytes per element; 0 for BYTES, whose elements vary. */
  byteSize: number
  /** Inclusive range for integer types, as bigint so 64-bit bounds are exact. */
  min?: bigint
  max?: bigint
}

const int = (bits: number, signed: boolean) =>
  signed ? { min: -(2n ** BigInt(bits - 1)), max: 2n ** BigInt(bits - 1) - 1n } : { min: 0n, max: 2n ** BigInt(bits) - 1n }

export const DATATYPE_INFO: Readonly<Record<Datatype, DatatypeInfo>> = Object.freeze({
  BOOL: { onnxElemType: 9, ortType: 'bool', byteSize: 1 },
  UINT8: { onnxElemType: 2, ortType: 'uint8', byteSize: 1, ...int(8, false) },
  UINT16: { onnxElemType: 4, ortType: 'uint16', byteSize: 2, ...int(16, false) },
  UINT32: { onnxElemType: 12, ortType: 'uint32', byteSize: 4, ...int(32, false) },
  UINT64: { onnxElemType: 13, ortType: 'uint64', byteSize: 8, ...int(64, false) },
  INT8: { onnxElemType: 3, ortType: 'int8', byteSize: 1, ...int(8, true) },
  INT16: { onnxElemType: 5, ortType: 'int16', byteSize: 2, ...int(16, true) },
  INT32: { onnxElemType: 6, ortType: 'int32', byteSize: 4, ...int(32, true) },
  INT64: { onnxElemType: 7, ortType: 'int64', byteSize: 8, ...int(64, true) },
  FP16: { onnxElemType: 10, ortType: 'float16', byteSize: 2 },
  FP32: { onnxElemType: 1, ortType: 'float32', byteSize: 4 },
  FP64: { onnxElemType: 11, ortType: 'float64', byteSize: 8 },
  BYTES: { onnxElemType: 8, ortType: 'string', byteSize: 0 },
})

const BY_ONNX = new Map(DATATYPES.map((d) => [DATATYPE_INFO[d].onnxElemType, d]))
const BY_ORT = new Map(DATATYPES.map((d) => [DATATYPE_INFO[d].ortType, d]))

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && Object.hasOwn(DATATYPE_INFO, value)
}

export function isIntegerDatatype(datatype: Datatype): boolean {
  return DATATYPE_INFO[datatype].min !== undefined
}

export function isFloatDatatype(datatype: Datatype): boolean {
  return datatype === 'FP16' || datatype === 'FP32' || datatype === 'FP64'
}

/** The V2 datatype of an ONNX TensorProto.DataType, or undefined when V2/ORT has none. */
export function datatypeFromOnnxElemType(elemType: number): Datatype | undefined {
  return BY_ONNX.get(elemType)
}

/** The V2 datatype of an onnxruntime tensor type, or undefined when V2 has none. */
export function datatypeFromOrtType(ortType: string): Datatype | undefined {
  return BY_ORT.get(ortType)
}

const TYPED_ARRAYS = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array,
} as const

/** A zero-filled (empty strings for BYTES) data array of `length` elements. */
export function allocateTensorData<D extends Datatype>(datatype: D, length: number): TensorDataMap[D] {
  return (datatype === 'BYTES' ? new Array<string>(length).fill('') : new TYPED_ARRAYS[datatype as Exclude<Datatype, 'BYTES'>](length)) as TensorDataMap[D]
}

/** Number of elements of a shape; 1 for a scalar (`[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** True when `shape` fits `spec` (-1 matches any size; an unknown rank matches any shape). */
export function shapeMatches(spec: readonly number[] | undefined, shape: readonly number[]): boolean {
  if (spec === undefined) return true
  return spec.length === shape.length && spec.every((d, i) => d === -1 || d === shape[i])
}

/** `[-1,3]` → `[-1, 3]`, `undefined` → `any`: how shapes appear in error messages. */
export function formatShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? 'any shape' : `[${shape.join(', ')}]`
}
