import { categoryCounts, numericValueCounts } from './binning.js'
import type { DriftColumn } from './drift-column.js'

/** Counts per distinct value over the union of reference and current values, never binned. */
export function valueCounts(column: DriftColumn): [Float64Array, Float64Array] {
  return column.type === 'numerical'
    ? numericValueCounts(column.ref, column.cur)
    : categoryCounts(column.ref, column.cur)
}

/** Python's `str()` of a NumPy number: integer-typed columns print "5", float columns "5.0". */
export function pythonNumberString(value: number, integer: boolean): string {
  if (integer) return String(value)
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`
  return String(value)
}

/** Keys of the column in the order numeric columns' values take when sorted by Python `str`. */
function keyStrings(column: DriftColumn): string[] {
  if (column.type === 'categorical') {
    const seen = new Set<string>()
    for (const v of column.ref) seen.add(v)
    for (const v of column.cur) seen.add(v)
    return [...seen]
  }
  const keys: string[] = []
  const merged = [...column.ref, ...column.cur].sort((a, b) => a - b)
  for (let i = 0; i < merged.length; i++) {
    if (i === 0 || merged[i] !== merged[i - 1]) keys.push(pythonNumberString(merged[i]!, column.integer))
  }
  return keys
}

/**
 * Counts per value plus the index of the key that sorts first by string (−1 when the two sides
 * together hold at most one distinct value). Indices match `valueCounts`' order.
 */
export function firstKeyCounts(column: DriftColumn): [Float64Array, Float64Array, number] {
  const [refCounts, curCounts] = valueCounts(column)
  if (refCounts.length <= 1) return [refCounts, curCounts, -1]
  const keys = keyStrings(column)
  let first = 0
  for (let k = 1; k < keys.length; k++) if (keys[k]! < keys[first]!) first = k
  return [refCounts, curCounts, first]
}
