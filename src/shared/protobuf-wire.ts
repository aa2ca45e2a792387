/**
 * A reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/), enough
 * to decode a few known messages (ONNX TensorProto…) without generated code or a dependency.
 * Repeated scalar fields may arrive packed or unpacked; the `repeated*` helpers accept both.
 */

export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_I32 = 5

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProtobufError'
  }
}

const utf8 = new TextDecoder('utf-8')

export class ProtobufReader {
  readonly #buf: Uint8Array
  readonly #view: DataView
  #pos: number
  readonly #end: number
  #lo = 0
  #hi = 0

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    this.#pos = start
    this.#end = end
  }

  get position(): number {
    return this.#pos
  }

  atEnd(): boolean {
    return this.#pos >= this.#end
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.uint32()
    const field = key >>> 3
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${this.#pos}`)
    return { field, wire: key & 7 }
  }

  /** Reads a varint into #lo/#hi (two 32-bit halves), so no bigint is made for common values. */
  #varint(): void {
    let lo = 0
    let hi = 0
    let shift = 0
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) throw new ProtobufError('truncated varint')
      const b = this.#buf[this.#pos++]!
      if (shift < 28) lo |= (b & 0x7f) << shift
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28
        hi |= (b & 0x7f) >> 4
      } else hi |= (b & 0x7f) << (shift - 32)
      shift += 7
      if ((b & 0x80) === 0) {
        this.#lo = lo >>> 0
        this.#hi = hi >>> 0
        return
      }
    }
    throw new ProtobufError('varint longer than 10 bytes')
  }

  /** The low 32 bits as unsigned (uint32, enums, lengths, keys). */
  uint32(): number {
    this.#varint()
    return this.#lo
  }

  /** int32 (negative values are sent sign-extended to 64 bits; the low half is the value). */
  int32(): number {
    this.#varint()
    return this.#lo | 0
  }

  /** A signed 64-bit varint as a number; exact up to 2^53 in magnitude. */
  int64Number(): number {
    this.#varint()
    return (this.#hi | 0) * 2 ** 32 + this.#lo
  }

  int64(): bigint {
    this.#varint()
    return BigInt.asIntN(64, (BigInt(this.#hi) << 32n) | BigInt(this.#lo))
  }

  uint64(): bigint {
    this.#varint()
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo)
  }

  float(): number {
    const v = this.#view.getFloat32(this.#advance(4), true)
    return v
  }

  double(): number {
    return this.#view.getFloat64(this.#advance(8), true)
  }

  /** A length-delimited field's bytes, as a view (no copy). */
  bytes(): Uint8Array {
    const length = this.uint32()
    const start = this.#advance(length)
    return this.#buf.subarray(start, start + length)
  }

  string(): string {
    return utf8.decode(this.bytes())
  }

  /** A reader over an embedded message. */
  message(): ProtobufReader {
    const length = this.uint32()
    const start = this.#advance(length)
    return new ProtobufReader(this.#buf, start, start + length)
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.#varint()
        return
      case WIRE_I64:
        this.#advance(8)
        return
      case WIRE_LEN:
        this.#advance(this.uint32())
        return
      case WIRE_I32:
        this.#advance(4)
        return
      default:
        throw new ProtobufError(`unsupported wire type ${wire} at byte ${this.#pos}`)
    }
  }

  /**
   * Reads one occurrence of a repeated scalar field: a packed run (wire type LEN) or a single
   * value of `scalarWire`, calling `read` once per element.
   */
  repeated(wire: number, scalarWire: number, read: (r: ProtobufReader) => void): void {
    if (wire === scalarWire) return read(this)
    if (wire !== WIRE_LEN) throw new ProtobufError(`wire type ${wire} where ${scalarWire} or packed was expected`)
    const packed = this.message()
    while (!packed.atEnd()) read(packed)
  }

  /**
   * Walks the message's fields: each field with a handler is read by it (the handler must
   * consume the value), every other field is skipped by its wire type.
   */
  fields(handlers: Readonly<Partial<Record<number, (wire: number) => void>>>): void {
    while (!this.atEnd()) {
      const { field, wire } = this.tag()
      const handler = handlers[field]
      if (handler) handler(wire)
      else this.skip(wire)
    }
  }

  /** The current field as a signed varint; `what` names it if the wire type is wrong. */
  varintField(wire: number, what: string): number {
    expectWire(wire, WIRE_VARINT, what)
    return this.int64Number()
  }

  stringField(wire: number, what: string): string {
    expectWire(wire, WIRE_LEN, what)
    return this.string()
  }

  messageField(wire: number, what: string): ProtobufReader {
    expectWire(wire, WIRE_LEN, what)
    return this.message()
  }

  #advance(n: number): number {
    const start = this.#pos
    if (n < 0 || start + n > this.#end) throw new ProtobufError(`field runs past the end of its message at byte ${start}`)
    this.#pos = start + n
    return start
  }
}

function expectWire(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw new ProtobufError(`${what} has wire type ${wire}, expected ${expected}`)
}
