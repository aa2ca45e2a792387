/**
 * KLL quantile sketch (Karnin, Lang & Liberty 2016): levels of compactors, level h holding items
 * of weight 2^h; a full level is sorted and every other item (random offset) moves up. Ranks
 * are exact in total weight (n) and off by at most 2.5/k of n in our measurements
 * (kll-sketch.test.ts). Mergeable: two sketches' levels are concatenated and compacted again.
 */

const DECAY = 2 / 3
const MIN_LEVEL_CAPACITY = 2

export interface KllState {
  readonly k: number
  readonly n: number
  readonly levels: readonly (readonly number[])[]
  /** PRNG state for the compaction coin, so a sketch's future is reproducible after a round trip. */
  readonly seed: number
}

export class KllSketch {
  readonly k: number
  n = 0
  levels: number[][] = [[]]
  private seed: number
  private size = 0

  constructor(k = 200, seed = 0x9e3779b9) {
    if (!Number.isInteger(k) || k < 8) throw new RangeError(`KLL k must be an integer ≥ 8, got ${k}`)
    this.k = k
    this.seed = seed >>> 0
  }

  static fromState(state: KllState): KllSketch {
    const sketch = new KllSketch(state.k, state.seed)
    sketch.n = state.n
    sketch.levels = state.levels.map((l) => l.slice())
    sketch.size = sketch.levels.reduce((s, l) => s + l.length, 0)
    return sketch
  }

  toState(): KllState {
    return { k: this.k, n: this.n, levels: this.levels.map((l) => l.slice()), seed: this.seed }
  }

  private coin(): number {
    // xorshift32: only a fair bit is needed.
    let x = this.seed
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.seed = x >>> 0
    return this.seed & 1
  }

  private capacity(level: number): number {
    const depth = this.levels.length - 1 - level
    return Math.max(MIN_LEVEL_CAPACITY, Math.ceil(this.k * DECAY ** depth))
  }

  private totalCapacity(): number {
    let total = 0
    for (let h = 0; h < this.levels.length; h++) total += this.capacity(h)
    return total
  }

  update(value: number): void {
    this.levels[0]!.push(value)
    this.n++
    this.size++
    if (this.size >= this.totalCapacity()) this.compress()
  }

  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h]!
      if (level.length < this.capacity(h)) continue
      if (h + 1 === this.levels.length) this.levels.push([])
      level.sort((a, b) => a - b)
      // An odd item stays behind so the weight that moves up is exactly preserved.
      const keep = level.length % 2 === 1 ? [level.pop()!] : []
      const offset = this.coin()
      const up = this.levels[h + 1]!
      for (let i = offset; i < level.length; i += 2) up.push(level[i]!)
      this.levels[h] = keep
      this.size = this.levels.reduce((s, l) => s + l.length, 0)
      if (this.size < this.totalCapacity()) return
    }
  }

  /** Adds another sketch's items (same k) into this one. */
  merge(other: KllSketch): this {
    while (this.levels.length < other.levels.length) this.levels.push([])
    other.levels.forEach((items, h) => this.levels[h]!.push(...items))
    this.n += other.n
    this.size = this.levels.reduce((s, l) => s + l.length, 0)
    while (this.size >= this.totalCapacity()) {
      const before = this.size
      this.compress()
      if (this.size === before) break
    }
    return this
  }

  /** Items with their weights, sorted by value: the sketch's step approximation of the data. */
  weightedItems(): { values: Float64Array; weights: Float64Array } {
    const pairs: [number, number][] = []
    this.levels.forEach((items, h) => {
      for (const v of items) pairs.push([v, 2 ** h])
    })
    pairs.sort((a, b) => a[0] - b[0])
    return { values: Float64Array.from(pairs, (p) => p[0]), weights: Float64Array.from(pairs, (p) => p[1]) }
  }
}

/** A sketch's CDF for many queries: cumulative weights over the sorted items. */
export class SketchCdf {
  readonly values: Float64Array
  readonly cumulative: Float64Array
  readonly n: number
  constructor(sketch: KllSketch) {
    const { values, weights } = sketch.weightedItems()
    this.values = values
    this.cumulative = new Float64Array(values.length)
    let total = 0
    for (let i = 0; i < values.length; i++) this.cumulative[i] = total += weights[i]!
    this.n = sketch.n
  }
  /** Estimated number of values ≤ x (`inclusive`) or < x. */
  rank(x: number, inclusive = true): number {
    let lo = 0
    let hi = this.values.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (inclusive ? this.values[mid]! <= x : this.values[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? 0 : this.cumulative[lo - 1]!
  }
  /** Estimated q-quantile, 0 ≤ q ≤ 1. */
  quantile(q: number): number {
    const target = q * this.n
    let lo = 0
    let hi = this.values.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cumulative[mid]! < target) lo = mid + 1
      else hi = mid
    }
    return this.values[lo]!
  }
}
