import {
  categoryCounts,
  extent,
  fillEmptyBins,
  histogramCountsUnsorted,
  numericValueCounts,
  sturgesEdges,
  toShares,
} from './binning.js'
import { unsortedCur, unsortedRef, type DriftColumn } from './drift-column.js'

/** Distinct values of one array, counted up to `cap` (pandas `nunique`: −0 and +0 are one). */
function distinctUpTo(values: Float64Array, cap: number): number {
  const seen = new Set<number>()
  for (let i = 0; i < values.length && seen.size < cap; i++) seen.add(values[i]!)
  return seen.size
}

/** Evidently bins numerics only when the reference has more than this many distinct values. */
const MAX_DISTINCT_FOR_VALUE_COUNTS = 20

/** Raw counts per bin (or per value) for reference and current. */
export function binnedCounts(column: DriftColumn): [Float64Array, Float64Array] {
  if (column.type === 'categorical') return categoryCounts(column.ref, column.cur)
  const ref = unsortedRef(column)
  const cur = unsortedCur(column)
  if (distinctUpTo(ref, MAX_DISTINCT_FOR_VALUE_COUNTS + 1) <= MAX_DISTINCT_FOR_VALUE_COUNTS) {
    return numericValueCounts(column.ref, column.cur)
  }
  // Equal-width bins need only the extremes, so binning never waits for a sort.
  const [refMin, refMax] = extent(ref)
  const [curMin, curMax] = extent(cur)
  const edges = sturgesEdges(Math.min(refMin, curMin), Math.max(refMax, curMax), ref.length + cur.length, column.integer)
  return [histogramCountsUnsorted(ref, edges), histogramCountsUnsorted(cur, edges)]
}

/** Shares per bin, optionally with Evidently's empty-bin fill (PSI and KL use it, JS does not). */
export function binnedShares(column: DriftColumn, fillZeroes: boolean): [Float64Array, Float64Array] {
  const [refCounts, curCounts] = binnedCounts(column)
  const r = toShares(refCounts, column.type === 'numerical' ? unsortedRef(column).length : column.ref.length)
  const c = toShares(curCounts, column.type === 'numerical' ? unsortedCur(column).length : column.cur.length)
  return fillZeroes ? [fillEmptyBins(r), fillEmptyBins(c)] : [r, c]
}
