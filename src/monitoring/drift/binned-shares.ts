import {
  categoryCounts,
  countDistinctSorted,
  fillEmptyBins,
  histogramCounts,
  numericValueCounts,
  sturgesEdges,
  toShares,
} from './binning.js'
import type { DriftColumn } from './drift-column.js'

/** Evidently bins numerics only when the reference has more than this many distinct values. */
const MAX_DISTINCT_FOR_VALUE_COUNTS = 20

/** Raw counts per bin (or per value) for reference and current. */
export function binnedCounts(column: DriftColumn): [Float64Array, Float64Array] {
  if (column.type === 'categorical') return categoryCounts(column.ref, column.cur)
  const { ref, cur } = column
  if (countDistinctSorted(ref) <= MAX_DISTINCT_FOR_VALUE_COUNTS) return numericValueCounts(ref, cur)
  const min = Math.min(ref[0]!, cur.length > 0 ? cur[0]! : Infinity)
  const max = Math.max(ref[ref.length - 1]!, cur.length > 0 ? cur[cur.length - 1]! : -Infinity)
  const edges = sturgesEdges(min, max, ref.length + cur.length, column.integer)
  return [histogramCounts(ref, edges), histogramCounts(cur, edges)]
}

/** Shares per bin, optionally with Evidently's empty-bin fill (PSI and KL use it, JS does not). */
export function binnedShares(column: DriftColumn, fillZeroes: boolean): [Float64Array, Float64Array] {
  const [refCounts, curCounts] = binnedCounts(column)
  const r = toShares(refCounts, column.ref.length)
  const c = toShares(curCounts, column.cur.length)
  return fillZeroes ? [fillEmptyBins(r), fillEmptyBins(c)] : [r, c]
}
