/**
 * The writing half of the protobuf wire format (https://protobuf.dev/programming-guides/encoding/),
 * enough to emit ONNX messages without generated code or a dependency. Fields are returned as byte
 * arrays and messages are their concatenation, which is all protobuf needs: a message is the
 * sequence of its fields, in any order.
 */

const WIRE_VARINT = 0
const WIRE_LEN = 2
const WIRE_I32 = 5

const utf8 = new TextEncoder()

/** A base-128 varint; negative values go out as their 64-bit two's complement (10 bytes), as int64 needs. */
export function varint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && value >= 0 && value < 0x80) return Uint8Array.of(value)
  let v = BigInt.asUintN(64, BigInt(value))
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return Uint8Array.from(out)
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function key(field: number, wire: number): Uint8Array {
  return varint(field * 8 + wire)
}

/** An int32, int64, uint64, bool or enum field. */
export function varintField(field: number, value: number | bigint): Uint8Array {
  return concatBytes([key(field, WIRE_VARINT), varint(value)])
}

/** A length-delimited field: a string (UTF-8), bytes, or an embedded message. */
export function bytesField(field: number, content: Uint8Array | string): Uint8Array {
  const bytes = typeof content === 'string' ? utf8.encode(content) : content
  return concatBytes([key(field, WIRE_LEN), varint(bytes.length), bytes])
}

/** An embedded message given as its fields. */
export function messageField(field: number, fields: readonly Uint8Array[]): Uint8Array {
  return bytesField(field, concatBytes(fields))
}

/** A float field (32-bit, little-endian). */
export function floatField(field: number, value: number): Uint8Array {
  const out = new Uint8Array(5)
  out.set(key(field, WIRE_I32))
  new DataView(out.buffer).setFloat32(1, value, true)
  return out
}

/** Little-endian float32 bytes, as TensorProto.raw_data and packed float fields hold them. */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true)
  return out
}

/** Little-endian int64 bytes. */
export function int64Bytes(values: ArrayLike<number | bigint>): Uint8Array {
  const out = new Uint8Array(values.length * 8)
  const view = new DataView(out.buffer)
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true)
  return out
}

/**
 * A repeated float field, packed. Parsers must accept packed encoding for every repeated scalar,
 * proto2 fields included, and it is a quarter of the size of one key per value.
 */
export function packedFloatsField(field: number, values: ArrayLike<number>): Uint8Array {
  return bytesField(field, float32Bytes(values))
}

/** A repeated varint field (int64, int32, enum), packed. */
export function packedVarintsField(field: number, values: ArrayLike<number | bigint>): Uint8Array {
  const parts: Uint8Array[] = []
  for (let i = 0; i < values.length; i++) parts.push(varint(values[i]!))
  return bytesField(field, concatBytes(parts))
}
