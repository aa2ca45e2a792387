/**
 * The two-sample KS statistic and Wasserstein distance without sorting, for values that are
 * m / 10^d (decimal-keys.ts):
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
 * Counts per key of both sides over one window of keys, with a bitmap of the occupied keys so a
 * walk visits those only (most keys of a wide range are empty). A walk leaves it empty again and
 * carries, across windows, the values seen per side, the largest gap |i/n1 − j/n2| and, when
 * asked, the area ∫|F1 − F2| between the two empirical distribution functions.
 */
class KeyCounts {
  readonly a: Int32Array
  readonly b: Int32Array
  readonly #bits: Int32Array
  /** The key that index 0 of this window stands for. */
  base = 0
  i = 0
  j = 0
  gap = 0
  best = 0
  area = 0
  previous: number
  constructor(size: number, readonly n1: number, readonly n2: number, readonly scale: number, min: number, readonly withArea: boolean) {
    this.a = new Int32Array(size)
    this.b = new Int32Array(size)
    this.#bits = new Int32Array(Math.ceil(size / 32))
    this.previous = min / scale
  }

  /** Counts `keys[from … to)` minus `offset` into one side. */
  add(counts: Int32Array, keys: ArrayLike<number>, from: number, to: number, offset: number): void {
    const bits = this.#bits
    for (let t = from; t < to; t++) {
      const k = keys[t]! - offset
      counts[k]!++
      bits[k >>> 5]! |= 1 << (k & 31)
    }
  }

  /** Goes through the occupied keys in order. */
  walk(): void {
    const { a, b, n1, n2, scale, base, withArea } = this
    const bits = this.#bits
    let { i, j, gap, best, area, previous } = this
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w]!
      if (word === 0) continue
      bits[w] = 0
      for (; word !== 0; word &= word - 1) {
        const k = (w << 5) | (31 - Math.clz32(word & -word))
        if (withArea) {
          // The gap below this value times the step up to it, as the sorted merge adds it.
          const x = (base + k) / scale
          area += gap * (x - previous)
          previous = x
        }
        i += a[k]!
        j += b[k]!
        a[k] = 0
        b[k] = 0
        gap = Math.abs(i / n1 - j / n2)
        if (gap > best) best = gap
      }
    }
    Object.assign(this, { i, j, gap, best, area, previous })
  }
}

/** Both sides' keys counted and walked in key order, or undefined when the caller must sort. */
function walkKeys(ref: Float64Array, cur: Float64Array, withArea: boolean): KeyCounts | undefined {
  const both = commonKeys(ref, cur)
  if (both === undefined) return undefined
  const [r, c] = both
  const min = Math.min(r.min, c.min)
  const range = Math.max(r.max, c.max) - min + 1
  if (range > MAX_KEYS_PER_VALUE * (ref.length + cur.length) + LOW_SIZE) return undefined
  if (range <= DIRECT_MAX_RANGE) {
    const counts = new KeyCounts(range, ref.length, cur.length, r.scale, min, withArea)
    counts.base = min
    counts.add(counts.a, r.keys, 0, r.keys.length, min)
    counts.add(counts.b, c.keys, 0, c.keys.length, min)
    counts.walk()
    return counts
  }
  const groups = Math.ceil(range / LOW_SIZE)
  const a = groupByHighBits(r.keys, min, groups)
  const b = groupByHighBits(c.keys, min, groups)
  const counts = new KeyCounts(LOW_SIZE, ref.length, cur.length, r.scale, min, withArea)
  for (let h = 0; h < groups; h++) {
    counts.base = min + h * LOW_SIZE
    counts.add(counts.a, a.lows, a.starts[h]!, a.starts[h + 1]!, 0)
    counts.add(counts.b, b.lows, b.starts[h]!, b.starts[h + 1]!, 0)
    counts.walk()
  }
  return counts
}

/**
 * max |i/n1 − j/n2| over the distinct values, i and j counting values ≤ each one: the very double
 * `ksStatistic` computes from sorted arrays. Undefined when the values have no decimal keys or
 * their range is too wide to walk; the caller sorts then.
 */
export function ksStatisticFromKeys(ref: Float64Array, cur: Float64Array): number | undefined {
  return walkKeys(ref, cur, false)?.best
}

/**
 * SciPy's `wasserstein_distance` from the key counts: the same terms in the same order as
 * `wassersteinDistance` adds them from sorted arrays (ties add nothing), so the same double.
 */
export function wassersteinFromKeys(ref: Float64Array, cur: Float64Array): number | undefined {
  return walkKeys(ref, cur, true)?.area
}
