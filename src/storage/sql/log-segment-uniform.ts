import type { PackedPredictions } from '../../monitoring/packed-predictions.js'

/**
 * The packed numbers of a segment whose records all have the same layout (same tensors, names,
 * datatypes and shapes: one model's traffic at one batch size, the usual case), stored as one
 * record's numbers plus what differs per record (time, latency, error). A float64 for every
 * number was about 150 of the 200 bytes a small record took, and writing the bytes is most of
 * what a stored batch costs SQLite (its commit copies every page to the WAL).
 *
 * Each number of the template is of one kind: the same in every record (KIND_SAME), a tensor's
 * byte offset, which advances by the record's share of the bytes (KIND_OFFSET), or one of the
 * per-record columns. Layout: u32 record length, then one kind byte per number padded to 8,
 * the template (float64s), the times and latencies (float64s), the errors (int32s) padded to 8.
 */
const KIND_SAME = 0
const KIND_OFFSET = 1
/** Positions in a record's numbers (see PredictionPacker). */
const ERROR = 3
const TIME = 4
const LATENCY = 5

const pad8 = (n: number) => (n + 7) & ~7

/** The uniform encoding of `numbers`, or undefined when the records differ in layout. */
export function encodeUniform(batch: Pick<PackedPredictions, 'count' | 'numbers' | 'bytes'>): Uint8Array | undefined {
  const { count, numbers } = batch
  if (count === 0 || numbers.length % count !== 0 || batch.bytes.byteLength % count !== 0) return undefined
  const length = numbers.length / count
  const stride = batch.bytes.byteLength / count
  const kinds = new Uint8Array(pad8(length))
  for (let k = 0; k < length; k++) kinds[k] = count > 1 && stride > 0 && numbers[length + k] === numbers[k]! + stride ? KIND_OFFSET : KIND_SAME
  for (let r = 1, n = length; r < count; r++) {
    for (let k = 0; k < length; k++, n++) {
      if (k === ERROR || k === TIME || k === LATENCY) continue
      if (numbers[n] !== (kinds[k] === KIND_OFFSET ? numbers[k]! + r * stride : numbers[k])) return undefined
    }
  }
  const body = new Uint8Array(8 + kinds.length + 8 * length + 16 * count + pad8(4 * count))
  const view = new DataView(body.buffer)
  view.setUint32(0, length, true)
  body.set(kinds, 8)
  let at = 8 + kinds.length
  for (let k = 0; k < length; k++, at += 8) view.setFloat64(at, numbers[k]!, true)
  for (let r = 0; r < count; r++, at += 16) {
    view.setFloat64(at, numbers[r * length + TIME]!, true)
    view.setFloat64(at + 8, numbers[r * length + LATENCY]!, true)
  }
  for (let r = 0; r < count; r++, at += 4) view.setInt32(at, numbers[r * length + ERROR]!, true)
  return body
}

/** The numbers back from their uniform encoding, for `count` records over `bytesLength` bytes. */
export function decodeUniform(body: Uint8Array, count: number, bytesLength: number): Float64Array {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const length = view.getUint32(0, true)
  const kinds = body.subarray(8, 8 + length)
  const stride = count === 0 ? 0 : bytesLength / count
  let at = 8 + pad8(length)
  const template = Array.from({ length }, (_, k) => view.getFloat64(at + 8 * k, true))
  at += 8 * length
  const errors = at + 16 * count
  const numbers = new Float64Array(count * length)
  for (let r = 0, n = 0; r < count; r++) {
    for (let k = 0; k < length; k++, n++) numbers[n] = kinds[k] === KIND_OFFSET ? template[k]! + r * stride : template[k]!
    numbers[r * length + TIME] = view.getFloat64(at + 16 * r, true)
    numbers[r * length + LATENCY] = view.getFloat64(at + 16 * r + 8, true)
    numbers[r * length + ERROR] = view.getInt32(errors + 4 * r, true)
  }
  return numbers
}
