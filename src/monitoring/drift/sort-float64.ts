/**
 * Ascending sort of finite doubles by LSD radix sort on 16-bit digits: about 3× faster than
 * Float64Array.prototype.sort at a million values, and every drift test starts with a sort.
 * Doubles are mapped to unsigned keys whose order is the numeric order (flip all bits of negatives,
 * set the sign bit of positives), so −0 still sorts just before +0, as the built-in sort does.
 */
import { decimalKeys } from './decimal-keys.js'

/** Below this size the built-in sort wins: four passes over 65,536 buckets cost more. */
const RADIX_MIN_LENGTH = 4096
const DIGIT_BUCKETS = 65_536
const SIGN = 0x80000000

function toOrderedKeys(words: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!
    if (hi & SIGN) {
      words[2 * i + 1] = ~hi >>> 0
      words[2 * i] = ~words[2 * i]! >>> 0
    } else {
      words[2 * i + 1] = (hi | SIGN) >>> 0
    }
  }
}

function fromOrderedKeys(words: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!
    if (hi & SIGN) {
      words[2 * i + 1] = (hi & ~SIGN) >>> 0
    } else {
      words[2 * i + 1] = ~hi >>> 0
      words[2 * i] = ~words[2 * i]! >>> 0
    }
  }
}

/** Key ranges up to this size are sorted by counting, in one histogram pass. */
const COUNTING_MAX_RANGE = 1 << 22

/**
 * Sorts values that are all m / 10^d for small d (see decimal-keys.ts) by their 32-bit keys: for
 * narrow ranges a counting sort. Returns false (values untouched) when they are not, or when −0
 * is present (its sign would be lost on the way back).
 */
function sortByDecimalKeys(values: Float64Array): boolean {
  const n = values.length
  const decimal = decimalKeys(values)
  if (decimal === undefined) return false
  const { keys: m, min, max, scale } = decimal
  for (let i = 0; i < n; i++) if (m[i] === 0 && 1 / values[i]! < 0) return false
  const range = max - min + 1
  if (range <= COUNTING_MAX_RANGE) {
    const counts = new Uint32Array(range)
    for (let i = 0; i < n; i++) counts[m[i]! - min]!++
    let at = 0
    for (let key = 0; key < range; key++) {
      const c = counts[key]!
      if (c === 0) continue
      values.fill((key + min) / scale, at, at + c)
      at += c
    }
    return true
  }
  let src = new Uint32Array(n)
  for (let i = 0; i < n; i++) src[i] = m[i]! - min
  let dst = new Uint32Array(n)
  const counts = new Uint32Array(DIGIT_BUCKETS)
  for (const shift of [0, 16]) {
    counts.fill(0)
    for (let i = 0; i < n; i++) counts[(src[i]! >>> shift) & 0xffff]!++
    let total = 0
    for (let k = 0; k < DIGIT_BUCKETS; k++) {
      const c = counts[k]!
      counts[k] = total
      total += c
    }
    for (let i = 0; i < n; i++) {
      const key = src[i]!
      dst[counts[(key >>> shift) & 0xffff]!++] = key
    }
    ;[src, dst] = [dst, src]
  }
  for (let i = 0; i < n; i++) values[i] = (src[i]! + min) / scale
  return true
}

/** Sorts `values` (finite, no NaN) in place and returns it. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length
  if (n < RADIX_MIN_LENGTH) return values.sort()
  if (sortByDecimalKeys(values)) return values
  let src: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, n * 2)
  let dst: Uint32Array = new Uint32Array(n * 2)
  toOrderedKeys(src, n)
  // All four digit histograms in one read pass; a digit every key shares needs no pass at all.
  const counts = new Uint32Array(4 * DIGIT_BUCKETS)
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!
    const hi = src[2 * i + 1]!
    counts[lo & 0xffff]!++
    counts[DIGIT_BUCKETS + (lo >>> 16)]!++
    counts[2 * DIGIT_BUCKETS + (hi & 0xffff)]!++
    counts[3 * DIGIT_BUCKETS + (hi >>> 16)]!++
  }
  let swapped = false
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * DIGIT_BUCKETS
    const word = pass >> 1
    const shift = (pass & 1) * 16
    let total = 0
    let trivial = false
    for (let k = 0; k < DIGIT_BUCKETS; k++) {
      const c = counts[base + k]!
      if (c === n) trivial = true
      counts[base + k] = total
      total += c
    }
    if (trivial) continue
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!
      const hi = src[2 * i + 1]!
      const to = counts[base + (((word === 0 ? lo : hi) >>> shift) & 0xffff)]!++
      dst[2 * to] = lo
      dst[2 * to + 1] = hi
    }
    ;[src, dst] = [dst, src]
    swapped = !swapped
  }
  // After an odd number of passes the sorted keys sit in the scratch buffer.
  if (swapped) dst.set(src)
  fromOrderedKeys(new Uint32Array(values.buffer, values.byteOffset, n * 2), n)
  return values
}
