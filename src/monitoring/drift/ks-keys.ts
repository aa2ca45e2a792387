/**
 * The two-sample KS statistic without sorting, for values that are m / 10^d (decimal-keys.ts):
 * narrow key ranges are counted directly; wider ones are grouped by their high 16 bits in one
 * counting pass, then each group's low 16 bits are counted in a 65,536-entry table (it stays in
 * cache) and walked in order. The walk visits every key of the occupied range, so it is used only
 * when that range is a small multiple of n.
 */
import { decimalKeys, type DecimalKeys } from './decimal-keys.js'

const LOW_BITS = 16
const LOW_SIZE = 1 << LOW_BITS
/** Key ranges up to this size (1 MB of counts per side) are counted directly, without grouping. */
const DIRECT_MAX_RANGE = 1 << 18
/** Walking up to this many keys per value costs less than sorting the values. */
const MAX_KEYS_PER_VALUE = 8

interface Grouped {
  /** starts[h] … starts[h + 1] delimit group h in `lows`. */
  readonly starts: Uint32Array
  readonly lows: Uint16Array
}

function groupByHighBits(keys: Int32Array, min: number, groups: number): Grouped {
  const starts = new Uint32Array(groups + 1)
  for (let i = 0; i < keys.length; i++) starts[((keys[i]! - min) >>> LOW_BITS) + 1]!++
  for (let h = 0; h < groups; h++) starts[h + 1]! += starts[h]!
  const at = starts.slice(0, groups)
  const lows = new Uint16Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const u = keys[i]! - min
    lows[at[u >>> LOW_BITS]!++] = u & (LOW_SIZE - 1)
  }
  return { starts, lows }
}

/** Keys of both sides at one common scale, or undefined when either side has none. */
function commonKeys(ref: Float64Array, cur: Float64Array): [DecimalKeys, DecimalKeys] | undefined {
  const r = decimalKeys(ref)
  const c = r && decimalKeys(cur, r.scale)
  if (r === undefined || c === undefined) return undefined
  if (c.scale === r.scale) return [r, c]
  // The current side needed more decimals: the reference is keyed again at its scale.
  const again = decimalKeys(ref, c.scale)
  return again && [again, c]
}

/**
 * max |i/n1 − j/n2| over the distinct values, i and j counting values ≤ each one: the very double
 * `ksStatistic` computes from sorted arrays. Undefined when the values have no decimal keys or
 * their range is too wide to walk; the caller sorts then.
 */
export function ksStatisticFromKeys(ref: Float64Array, cur: Float64Array): number | undefined {
  const n1 = ref.length
  const n2 = cur.length
  const both = commonKeys(ref, cur)
  if (both === undefined) return undefined
  const [r, c] = both
  const min = Math.min(r.min, c.min)
  const range = Math.max(r.max, c.max) - min + 1
  if (range > MAX_KEYS_PER_VALUE * (n1 + n2) + LOW_SIZE) return undefined
  if (range <= DIRECT_MAX_RANGE) return walkCounts(countKeys(r.keys, min, range), countKeys(c.keys, min, range), n1, n2)
  const groups = Math.ceil(range / LOW_SIZE)
  const a = groupByHighBits(r.keys, min, groups)
  const b = groupByHighBits(c.keys, min, groups)
  const countA = new Int32Array(LOW_SIZE)
  const countB = new Int32Array(LOW_SIZE)
  let i = 0
  let j = 0
  let best = 0
  for (let h = 0; h < groups; h++) {
    const a0 = a.starts[h]!
    const a1 = a.starts[h + 1]!
    const b0 = b.starts[h]!
    const b1 = b.starts[h + 1]!
    // An empty group leaves i and j, hence the gap, as they were.
    if (a0 === a1 && b0 === b1) continue
    for (let t = a0; t < a1; t++) countA[a.lows[t]!]!++
    for (let t = b0; t < b1; t++) countB[b.lows[t]!]!++
    const top = h === groups - 1 ? range - h * LOW_SIZE : LOW_SIZE
    ;[i, j, best] = walk(countA, countB, top, n1, n2, i, j, best)
  }
  return best
}

/** Counts per key offset from `min`, for ranges small enough to stay in cache. */
function countKeys(keys: Int32Array, min: number, range: number): Int32Array {
  const counts = new Int32Array(range)
  for (let i = 0; i < keys.length; i++) counts[keys[i]! - min]!++
  return counts
}

function walkCounts(countA: Int32Array, countB: Int32Array, n1: number, n2: number): number {
  return walk(countA, countB, countA.length, n1, n2, 0, 0, 0)[2]
}

/**
 * Walks keys 0 … top − 1 of both count tables (zeroing them for the next group), carrying the
 * values counted so far on each side and the largest gap seen.
 */
function walk(countA: Int32Array, countB: Int32Array, top: number, n1: number, n2: number, i: number, j: number, best: number): [number, number, number] {
  for (let low = 0; low < top; low++) {
    const x = countA[low]!
    const y = countB[low]!
    if ((x | y) === 0) continue
    countA[low] = 0
    countB[low] = 0
    i += x
    j += y
    const gap = Math.abs(i / n1 - j / n2)
    if (gap > best) best = gap
  }
  return [i, j, best]
}
