/**
 * Evidently's `get_binned_data`: numeric columns with more than 20 distinct reference values are
 * cut into equal-width Sturges bins over reference ∪ current; everything else is counted per
 * value. Shares are count / length and are not renormalised after the empty-bin fill.
 */

/** Lower bound: first index whose value is >= x (`side='left'`). */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Upper bound: first index whose value is > x (`side='right'`). */
export function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Number of distinct values in a sorted array (−0 and +0 count once, as in pandas). */
export function countDistinctSorted(sorted: Float64Array): number {
  let count = 0
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) count++
  return count
}

/**
 * `np.histogram_bin_edges(values, bins='sturges')` for data with the given min, max and size.
 * The bin count is ceil(ptp / (ptp / (log2 n + 1))) evaluated in floating point, as NumPy does,
 * and integer columns never get bins narrower than 1. Edges are i·step + min, last edge = max.
 */
export function sturgesEdges(min: number, max: number, size: number, integer = false): Float64Array {
  let first = min
  let last = max
  if (first === last) {
    first -= 0.5
    last += 0.5
  }
  let width = (max - min) / (Math.log2(size) + 1)
  if (integer && width < 1) width = 1
  const bins = width ? Math.ceil((last - first) / width) : 1
  const edges = new Float64Array(bins + 1)
  const step = (last - first) / bins
  for (let i = 0; i < bins; i++) edges[i] = i * step + first
  edges[bins] = last
  return edges
}

/** `np.histogram(sorted, edges)[0]`: half-open bins, the last one closed on the right. */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1
  const counts = new Float64Array(bins)
  let start = lowerBound(sorted, edges[0]!)
  for (let i = 0; i < bins; i++) {
    const end = i === bins - 1 ? upperBound(sorted, edges[bins]!) : lowerBound(sorted, edges[i + 1]!)
    counts[i] = end - start
    start = end
  }
  return counts
}

/**
 * The same counts as `histogramCounts` from values in any order: the bin is guessed from the
 * equal spacing and then corrected against the actual edges, so an edge computed as i·step + min
 * decides membership exactly as NumPy's searchsorted on the edges does. Values outside the edges
 * are not counted.
 */
export function histogramCountsUnsorted(values: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1
  // Integer counters: a float increment is a slower dependency chain when a bin repeats.
  const counts = new Int32Array(bins)
  const first = edges[0]!
  const last = edges[bins]!
  const scale = bins / (last - first)
  const top = bins - 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!(v >= first && v <= last)) continue
    // Truncation is the floor here: v ≥ first makes the product non-negative.
    let b = ((v - first) * scale) | 0
    if (b > top) b = top
    while (b > 0 && v < edges[b]!) b--
    while (b < top && v >= edges[b + 1]!) b++
    counts[b]!++
  }
  return Float64Array.from(counts)
}

/** Min and max of a non-empty array. */
export function extent(values: Float64Array): [number, number] {
  let min = Infinity
  let max = -Infinity
  // Math.min/max compile to branch-free instructions; compare-and-branch was 2–3× slower here.
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    min = Math.min(min, v)
    max = Math.max(max, v)
  }
  return [min, max]
}

/** Counts of each distinct value in two sorted numeric arrays, over the union of their values. */
export function numericValueCounts(ref: Float64Array, cur: Float64Array): [Float64Array, Float64Array] {
  const refCounts: number[] = []
  const curCounts: number[] = []
  let i = 0
  let j = 0
  while (i < ref.length || j < cur.length) {
    const x = j >= cur.length || (i < ref.length && ref[i]! <= cur[j]!) ? ref[i]! : cur[j]!
    const i0 = i
    const j0 = j
    while (i < ref.length && ref[i] === x) i++
    while (j < cur.length && cur[j] === x) j++
    refCounts.push(i - i0)
    curCounts.push(j - j0)
  }
  return [Float64Array.from(refCounts), Float64Array.from(curCounts)]
}

/** Counts of each distinct string in two columns, over the union of their values. */
export function categoryCounts(ref: readonly string[], cur: readonly string[]): [Float64Array, Float64Array] {
  const index = new Map<string, number>()
  const refCounts: number[] = []
  const curCounts: number[] = []
  const add = (value: string, own: number[], other: number[]): void => {
    let k = index.get(value)
    if (k === undefined) {
      k = refCounts.length
      index.set(value, k)
      own.push(0)
      other.push(0)
    }
    own[k]!++
  }
  for (const v of ref) add(v, refCounts, curCounts)
  for (const v of cur) add(v, curCounts, refCounts)
  return [Float64Array.from(refCounts), Float64Array.from(curCounts)]
}

/**
 * Evidently's empty-bin rule (issue #334): zeros become min(non-zero)/1e6 when the smallest share
 * is at most 1e-4, else 1e-4. Applied to each array separately, without renormalising.
 */
export function fillEmptyBins(shares: Float64Array): Float64Array {
  let smallest = Infinity
  for (const s of shares) if (s > 0 && s < smallest) smallest = s
  if (smallest === Infinity) smallest = 0.0001
  const epsilon = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001
  return shares.map((s) => (s === 0 ? epsilon : s))
}

/** Divides every count by n. */
export function toShares(counts: Float64Array, n: number): Float64Array {
  return counts.map((c) => c / n)
}
