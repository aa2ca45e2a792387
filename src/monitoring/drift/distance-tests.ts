/** Evidently's distance-type column tests: larger score means more drift. */
import { binnedShares } from './binned-shares.js'
import { countDistinctSorted, histogramCounts, sturgesEdges } from './binning.js'
import { unsortedCur, unsortedRef, type DriftColumn } from './drift-column.js'
import { wassersteinFromKeys } from './key-walk.js'
import { sortFloat64 } from './sort-float64.js'

/** Evidently floors the reference std so constant references do not divide by zero. */
const MIN_STD = 0.001

function sum(values: Float64Array): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += values[i]!
  return total
}

/** Population standard deviation (NumPy's default ddof=0), two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  const mean = sum(values) / values.length
  let squares = 0
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean
    squares += d * d
  }
  return Math.sqrt(squares / values.length)
}

/**
 * SciPy `wasserstein_distance` on sorted samples: ∫|F_ref − F_cur| by one merge walk. Runs of
 * one side are walked without re-testing the other, which is where a merge spends its time.
 */
export function wassersteinDistance(ref: Float64Array, cur: Float64Array): number {
  const n1 = ref.length
  const n2 = cur.length
  let i = 0
  let j = 0
  let previous = n1 > 0 && (n2 === 0 || ref[0]! <= cur[0]!) ? ref[0]! : cur[0]!
  let total = 0
  while (i < n1 && j < n2) {
    const gap = Math.abs(i / n1 - j / n2)
    const r = ref[i]!
    const c = cur[j]!
    if (r <= c) {
      total += gap * (r - previous)
      previous = r
      i++
    } else {
      total += gap * (c - previous)
      previous = c
      j++
    }
  }
  // One side is used up; its CDF is 1 from here on.
  for (; i < n1; i++) {
    const r = ref[i]!
    total += Math.abs(i / n1 - 1) * (r - previous)
    previous = r
  }
  for (; j < n2; j++) {
    const c = cur[j]!
    total += Math.abs(1 - j / n2) * (c - previous)
    previous = c
  }
  return total
}

/** "Wasserstein distance (normed)": distance divided by max(std(reference), 0.001). */
export function wassersteinNormed(column: DriftColumn): number {
  if (column.type !== 'numerical') return NaN
  const ref = unsortedRef(column)
  // Counting decimal keys gives the same distance without sorting; values without them are sorted.
  const distance = wassersteinFromKeys(ref, unsortedCur(column)) ?? wassersteinDistance(column.ref, column.cur)
  return distance / Math.max(populationStd(ref), MIN_STD)
}

/** Σ x·ln(x/y) with SciPy `rel_entr` conventions (0 when x = 0). */
function relativeEntropy(p: Float64Array, q: Float64Array): number {
  let total = 0
  for (let k = 0; k < p.length; k++) {
    const x = p[k]!
    const y = q[k]!
    if (x > 0) total += y > 0 ? x * Math.log(x / y) : Infinity
  }
  return total
}

function normalised(values: Float64Array): Float64Array {
  const total = sum(values)
  return values.map((v) => v / total)
}

/** SciPy `jensenshannon(r, c)` with natural log, so the maximum is √ln2, not 1 (Evidently #494). */
export function jensenShannon(column: DriftColumn): number {
  const [r, c] = binnedShares(column, false).map(normalised) as [Float64Array, Float64Array]
  const m = r.map((v, k) => (v + c[k]!) / 2)
  return Math.sqrt((relativeEntropy(r, m) + relativeEntropy(c, m)) / 2)
}

/** Population stability index Σ (r − c)·ln(r/c) over ε-filled shares. */
export function psi(column: DriftColumn): number {
  const [r, c] = binnedShares(column, true)
  let total = 0
  for (let k = 0; k < r.length; k++) total += (r[k]! - c[k]!) * Math.log(r[k]! / c[k]!)
  return total
}

/** KL(ref‖cur) as SciPy `entropy(r, c)`: both renormalised, natural log. */
export function klDivergence(column: DriftColumn): number {
  const [r, c] = binnedShares(column, true)
  return relativeEntropy(normalised(r), normalised(c))
}

function hellingerFromBhattacharyya(bc: number): number {
  return Math.sqrt(1 - Math.min(1, Math.max(0, bc)))
}

/** Density histogram on `edges` (NumPy `density=True`). */
function densities(sorted: Float64Array, edges: Float64Array): Float64Array {
  const counts = histogramCounts(sorted, edges)
  const total = sum(counts)
  return counts.map((c, i) => c / (edges[i + 1]! - edges[i]!) / total)
}

/**
 * Evidently's Hellinger distance. Numerics use Sturges bins sized by the number of distinct values
 * of ref ∪ cur (not the row count), density histograms and BC = Σ √(h1·h2)·width.
 */
export function hellinger(column: DriftColumn): number {
  if (column.type === 'categorical') {
    const [r, c] = binnedShares(column, false)
    let bc = 0
    for (let k = 0; k < r.length; k++) bc += Math.sqrt(r[k]! * c[k]!)
    return hellingerFromBhattacharyya(bc)
  }
  const { ref, cur } = column
  const all = new Float64Array(ref.length + cur.length)
  all.set(ref)
  all.set(cur, ref.length)
  sortFloat64(all)
  const edges = sturgesEdges(all[0]!, all[all.length - 1]!, countDistinctSorted(all), column.integer)
  const h1 = densities(ref, edges)
  const h2 = densities(cur, edges)
  let bc = 0
  for (let i = 0; i < h1.length; i++) bc += Math.sqrt(h1[i]! * h2[i]!) * (edges[i + 1]! - edges[i]!)
  return hellingerFromBhattacharyya(bc)
}
