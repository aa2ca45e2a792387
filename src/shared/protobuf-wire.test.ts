import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ProtobufError, ProtobufReader, WIRE_I32, WIRE_LEN, WIRE_VARINT } from './protobuf-wire.js'

/** Varint bytes of a 64-bit value (negative numbers as two's complement). */
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value)
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  return [...out, Number(v)]
}

describe('ProtobufReader', () => {
  it('should read varints of every width as uint32, int32, int64 and uint64', () => {
    const values = [0n, 1n, 127n, 128n, 300n, 2n ** 31n - 1n, 2n ** 32n + 5n, 2n ** 53n + 1n, 2n ** 63n - 1n]
    for (const v of values) {
      assert.equal(new ProtobufReader(Uint8Array.from(varint(v))).int64(), v)
      assert.equal(new ProtobufReader(Uint8Array.from(varint(v))).uint64(), v)
    }
    assert.equal(new ProtobufReader(Uint8Array.from(varint(-1n))).int32(), -1)
    assert.equal(new ProtobufReader(Uint8Array.from(varint(-(2n ** 31n)))).int32(), -(2 ** 31))
    assert.equal(new ProtobufReader(Uint8Array.from(varint(-5n))).int64(), -5n)
    assert.equal(new ProtobufReader(Uint8Array.from(varint(-5n))).int64Number(), -5)
    assert.equal(new ProtobufReader(Uint8Array.from(varint(2n ** 64n - 1n))).uint64(), 2n ** 64n - 1n)
    assert.equal(new ProtobufReader(Uint8Array.from(varint(300n))).uint32(), 300)
  })

  it('should read tags, strings, nested messages and skip unknown fields', () => {
    const inner = [...varint(BigInt((1 << 3) | WIRE_VARINT)), ...varint(42n)]
    const bytes = Uint8Array.from([
      ...varint(BigInt((7 << 3) | WIRE_I32)), 0, 0, 0x80, 0x3f,
      ...varint(BigInt((2 << 3) | WIRE_LEN)), 2, 0x68, 0x69,
      ...varint(BigInt((3 << 3) | WIRE_LEN)), inner.length, ...inner,
    ])
    const r = new ProtobufReader(bytes)
    assert.deepEqual(r.tag(), { field: 7, wire: WIRE_I32 })
    r.skip(WIRE_I32)
    assert.deepEqual(r.tag(), { field: 2, wire: WIRE_LEN })
    assert.equal(r.string(), 'hi')
    r.tag()
    const m = r.message()
    assert.deepEqual(m.tag(), { field: 1, wire: WIRE_VARINT })
    assert.equal(m.uint32(), 42)
    assert.ok(m.atEnd() && r.atEnd())
  })

  it('should read repeated scalars packed or one at a time', () => {
    const packed = new ProtobufReader(Uint8Array.from([3, ...varint(1n), ...varint(2n), ...varint(3n)]))
    const got: number[] = []
    packed.repeated(WIRE_LEN, WIRE_VARINT, (x) => void got.push(x.uint32()))
    new ProtobufReader(Uint8Array.from(varint(4n))).repeated(WIRE_VARINT, WIRE_VARINT, (x) => void got.push(x.uint32()))
    assert.deepEqual(got, [1, 2, 3, 4])
  })

  it('should throw ProtobufError on truncated input', () => {
    assert.throws(() => new ProtobufReader(Uint8Array.from([0x80])).uint32(), ProtobufError)
    assert.throws(() => new ProtobufReader(Uint8Array.from([5, 1])).bytes(), /past the end/)
    assert.throws(() => new ProtobufReader(Uint8Array.from([1, 0])).double(), ProtobufError)
    assert.throws(() => new ProtobufReader(Uint8Array.from([0])).tag(), /field number 0/)
  })
})
