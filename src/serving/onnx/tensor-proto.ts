import { AppError } from '../../shared/errors.js'
import { ProtobufError, ProtobufReader, WIRE_I32, WIRE_I64, WIRE_VARINT } from '../../shared/protobuf-wire.js'
import { allocateTensorData, datatypeFromOnnxElemType, elementCount } from '../tensor-types.js'
import type { Datatype, Tensor } from '../tensor-types.js'

/**
 * ONNX TensorProto (onnx/onnx.proto3) → Tensor. Fields: dims 1, data_type 2, float_data 4,
 * int32_data 5, string_data 6, int64_data 7, name 8, raw_data 9, double_data 10, uint64_data 11,
 * data_location 14. Which typed field holds the data depends on data_type (see onnx.proto's
 * comments): int32_data carries every type of 32 bits or less except FP32 (FP16 as its bits,
 * BOOL as 0/1), uint64_data carries UINT32 and UINT64. raw_data, when present, wins and is
 * little-endian.
 */
export interface TensorProto {
  name: string
  dims: number[]
  dataType: number
  rawData?: Uint8Array
  floatData: number[]
  int32Data: number[]
  stringData: Uint8Array[]
  int64Data: bigint[]
  doubleData: number[]
  uint64Data: bigint[]
  external: boolean
}

export function readTensorProto(bytes: Uint8Array): TensorProto {
  const proto: TensorProto = {
    name: '', dims: [], dataType: 0, floatData: [], int32Data: [], stringData: [], int64Data: [], doubleData: [], uint64Data: [], external: false,
  }
  try {
    const r = new ProtobufReader(bytes)
    while (!r.atEnd()) readField(r, proto)
  } catch (error) {
    if (error instanceof ProtobufError) throw new AppError('INVALID_PARAMETER_VALUE', `not a TensorProto: ${error.message}`, { cause: error })
    throw error
  }
  return proto
}

function readField(r: ProtobufReader, p: TensorProto): void {
  const { field, wire } = r.tag()
  switch (field) {
    case 1: return r.repeated(wire, WIRE_VARINT, (x) => void p.dims.push(x.int64Number()))
    case 2: return void (p.dataType = r.int32())
    case 4: return r.repeated(wire, WIRE_I32, (x) => void p.floatData.push(x.float()))
    case 5: return r.repeated(wire, WIRE_VARINT, (x) => void p.int32Data.push(x.int32()))
    case 6: return void p.stringData.push(r.bytes())
    case 7: return r.repeated(wire, WIRE_VARINT, (x) => void p.int64Data.push(x.int64()))
    case 8: return void (p.name = r.string())
    case 9: return void (p.rawData = r.bytes())
    case 10: return r.repeated(wire, WIRE_I64, (x) => void p.doubleData.push(x.double()))
    case 11: return r.repeated(wire, WIRE_VARINT, (x) => void p.uint64Data.push(x.uint64()))
    case 14: {
      if (wire !== WIRE_VARINT) return r.skip(wire)
      p.external = r.int32() === 1
      return
    }
    default:
      return r.skip(wire)
  }
}

/** Decodes a TensorProto file into a Tensor. INVALID_PARAMETER_VALUE for types V2 cannot carry. */
export function decodeTensorProto(bytes: Uint8Array): Tensor {
  return tensorFromProto(readTensorProto(bytes))
}

export function tensorFromProto(p: TensorProto): Tensor {
  const datatype = datatypeFromOnnxElemType(p.dataType)
  if (datatype === undefined) throw new AppError('INVALID_PARAMETER_VALUE', `tensor '${p.name}' has ONNX data type ${p.dataType}, which has no V2 datatype`)
  if (p.external) throw new AppError('INVALID_PARAMETER_VALUE', `tensor '${p.name}' keeps its data in an external file, which is not supported`)
  const count = elementCount(p.dims)
  const data = allocateTensorData(datatype, count)
  if (datatype === 'BYTES') {
    const utf8 = new TextDecoder()
    const strings = data as string[]
    for (let i = 0; i < count; i++) strings[i] = utf8.decode(p.stringData[i] ?? new Uint8Array())
  } else if (p.rawData !== undefined) {
    fillFromRaw(datatype, data as Exclude<typeof data, string[]>, p.rawData, p.name)
  } else {
    fillFromTyped(datatype, data, p)
  }
  return { name: p.name, datatype, shape: p.dims, data }
}

function fillFromRaw(datatype: Datatype, data: Exclude<Tensor['data'], string[]>, raw: Uint8Array, name: string): void {
  if (raw.byteLength !== data.byteLength) {
    throw new AppError('INVALID_PARAMETER_VALUE', `tensor '${name}' has ${raw.byteLength} bytes of raw_data; its shape and type need ${data.byteLength}`)
  }
  // Copying the bytes into the typed array's own buffer avoids alignment problems; the host is
  // little-endian like raw_data on every platform Node supports.
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(raw)
  if (datatype === 'BOOL') for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0
}

function fillFromTyped(datatype: Datatype, data: Tensor['data'], p: TensorProto): void {
  const source: ArrayLike<number | bigint> =
    datatype === 'FP32' ? p.floatData
      : datatype === 'FP64' ? p.doubleData
        : datatype === 'INT64' ? p.int64Data
          : datatype === 'UINT64' || datatype === 'UINT32' ? p.uint64Data
            : p.int32Data
  if (source.length !== data.length) {
    throw new AppError('INVALID_PARAMETER_VALUE', `tensor '${p.name}' has ${source.length} elements; its shape needs ${data.length}`)
  }
  const target = data as unknown as Record<number, number | bigint>
  for (let i = 0; i < source.length; i++) {
    const v = source[i]!
    // UINT32 arrives as a uint64 bigint; every other pairing already has the target's kind.
    target[i] = datatype === 'UINT32' ? Number(v) : datatype === 'BOOL' ? (v ? 1 : 0) : v
  }
}
