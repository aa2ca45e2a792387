/**
 * A minimal protobuf wire-format reader (no schema, no dependency): enough to walk the few
 * fields of a message that a caller wants and skip the rest by length.
 * https://protobuf.dev/programming-guides/encoding/
 */

export const VARINT = 0
export const I64 = 1
export const LEN = 2
export const I32 = 5

/** Bytes that are not the protobuf message the caller expects. */
export class ParseError extends Error {}

/** A cursor over one protobuf message (a byte range of the buffer). */
export class ProtoReader {
  readonly #buf: Uint8Array
  #pos: number
  readonly #end: number

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf
    this.#pos = start
    this.#end = end
  }

  atEnd(): boolean {
    return this.#pos >= this.#end
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint()
    const field = Math.floor(key / 8)
    if (field === 0) throw new ParseError(`field number 0 at byte ${this.#pos}`)
    return { field, wire: key % 8 }
  }

  /** A varint as a number; int64 values are read as signed, exact up to 2^53. */
  varint(): number {
    const start = this.#pos
    let value = 0
    let scale = 1
    // Seven bytes hold 49 bits, exact in a double; longer varints (large or negative int64)
    // are decoded again as a BigInt.
    for (let i = 0; i < 7; i++) {
      if (this.#pos >= this.#end) throw new ParseError('truncated varint')
      const byte = this.#buf[this.#pos++]!
      value += (byte & 0x7f) * scale
      scale *= 128
      if (byte < 0x80) return value
    }
    this.#pos = start
    let big = 0n
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) throw new ParseError('truncated varint')
      const byte = this.#buf[this.#pos++]!
      big |= BigInt(byte & 0x7f) << BigInt(7 * i)
      if (byte < 0x80) return Number(BigInt.asIntN(64, big))
    }
    throw new ParseError('varint longer than 10 bytes')
  }

  /** A length-delimited field as a reader over its bytes. */
  message(): ProtoReader {
    const length = this.varint()
    if (length < 0 || this.#pos + length > this.#end) {
      throw new ParseError(`length ${length} at byte ${this.#pos} runs past the end of its message`)
    }
    const sub = new ProtoReader(this.#buf, this.#pos, this.#pos + length)
    this.#pos += length
    return sub
  }

  string(): string {
    const sub = this.message()
    return Buffer.from(this.#buf.buffer, this.#buf.byteOffset + sub.#pos, sub.#end - sub.#pos).toString('utf8')
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varint()
    else if (wire === LEN) this.message()
    else if (wire === I64) this.#advance(8)
    else if (wire === I32) this.#advance(4)
    else throw new ParseError(`unsupported wire type ${wire} at byte ${this.#pos}`)
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

  /** The current field as a varint; `what` names it if the wire type is wrong. */
  varintField(wire: number, what: string): number {
    expectWire(wire, VARINT, what)
    return this.varint()
  }

  stringField(wire: number, what: string): string {
    expectWire(wire, LEN, what)
    return this.string()
  }

  messageField(wire: number, what: string): ProtoReader {
    expectWire(wire, LEN, what)
    return this.message()
  }

  #advance(n: number): void {
    if (this.#pos + n > this.#end) throw new ParseError('truncated fixed-width field')
    this.#pos += n
  }
}

function expectWire(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw new ParseError(`${what} has wire type ${wire}, expected ${expected}`)
}
