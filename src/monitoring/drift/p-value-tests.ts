/** Evidently's p-value column tests: smaller score means more drift. */
import { firstKeyCounts, valueCounts } from './value-counts.js'
import { unsortedCur, unsortedRef, type DriftColumn } from './drift-column.js'
import { gcd, ksExactPValue } from './ks-exact.js'
import { kolmogorovNSf } from './kolmogorov-n.js'
import { ksStatisticFromKeys } from './key-walk.js'
import { chiSquareSf, normalCdf } from './special-functions.js'

/** SciPy's `ks_2samp(method='auto')` is exact up to this sample size. */
const KS_EXACT_MAX_N = 10_000

/**
 * Largest |n2·i − n1·j| / g over the merged sorted samples, i.e. D · lcm(n1, n2) as an exact
 * integer. Ties are consumed on both sides before comparing, as `searchsorted(side='right')` does.
 */
export function ksLatticeStatistic(ref: Float64Array, cur: Float64Array): number {
  const n1 = ref.length
  const n2 = cur.length
  const g = gcd(n1, n2)
  let i = 0
  let j = 0
  let best = 0
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && ref[i]! <= cur[j]!) ? ref[i]! : cur[j]!
    while (i < n1 && ref[i] === x) i++
    while (j < n2 && cur[j] === x) j++
    const gap = Math.abs(n2 * i - n1 * j)
    if (gap > best) best = gap
  }
  return best / g
}

/**
 * D as SciPy computes it, max |i/n1 − j/n2| in floating point over the merged samples, so the
 * asymptotic p-value sees the very same double.
 */
export function ksStatistic(ref: Float64Array, cur: Float64Array): number {
  const n1 = ref.length
  const n2 = cur.length
  let i = 0
  let j = 0
  let best = 0
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && ref[i]! <= cur[j]!) ? ref[i]! : cur[j]!
    while (i < n1 && ref[i] === x) i++
    while (j < n2 && cur[j] === x) j++
    const gap = Math.abs(i / n1 - j / n2)
    if (gap > best) best = gap
  }
  return best
}

/** NumPy's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** Limiting Kolmogorov survival function P(K > x). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1
  if (x < 1) {
    // Jacobi-theta form converges fast for small x, where the alternating series does not.
    const w = (Math.PI * Math.PI) / (8 * x * x)
    let cdf = 0
    for (let k = 1; k < 20; k += 2) cdf += Math.exp(-k * k * w)
    return 1 - (Math.sqrt(2 * Math.PI) / x) * cdf
  }
  let total = 0
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x)
    total += k % 2 === 1 ? term : -term
    if (term < 1e-18) break
  }
  return Math.min(1, Math.max(0, 2 * total))
}

/**
 * Two-sided two-sample KS p-value as SciPy's `ks_2samp(method='auto')`: exact when both samples
 * have at most 10,000 rows, else the finite-n Kolmogorov distribution `kstwo.sf(D, round(en))`
 * with en = n1·n2/(n1+n2).
 */
export function ksPValue(column: DriftColumn): number {
  if (column.type !== 'numerical') return NaN
  const ref = unsortedRef(column)
  const cur = unsortedCur(column)
  const n1 = ref.length
  const n2 = cur.length
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) return ksExactPValue(n1, n2, ksLatticeStatistic(column.ref, column.cur))
  // Counting decimal keys gives the same D without sorting; values without them are sorted.
  return ksAsymptoticPValue(n1, n2, ksStatisticFromKeys(ref, cur) ?? ksStatistic(column.ref, column.cur))
}

/** SciPy's 'asymp' branch: the larger size first, en rounded half-to-even. */
export function ksAsymptoticPValue(n1: number, n2: number, d: number): number {
  const m = Math.max(n1, n2)
  const n = Math.min(n1, n2)
  return kolmogorovNSf(roundHalfEven((m * n) / (m + n)), d)
}

/**
 * Pearson chi-square of current counts against reference counts rescaled to the current size.
 * A category unseen in the reference has expected 0, so the statistic is ∞ and p = 0.
 */
export function chiSquarePValue(column: DriftColumn): number {
  const [refCounts, curCounts] = valueCounts(column)
  const scale = column.cur.length / column.ref.length
  let statistic = 0
  for (let k = 0; k < refCounts.length; k++) {
    const expected = refCounts[k]! * scale
    const diff = curCounts[k]! - expected
    statistic += (diff * diff) / expected
  }
  return chiSquareSf(statistic, refCounts.length - 1)
}

/**
 * Two-proportion z-test on "value is not the first key". Keys sort as Python's `str` would;
 * with two keys the choice only flips the sign of z, so p does not depend on it.
 */
export function zTestPValue(column: DriftColumn): number {
  const [refCounts, curCounts, firstKey] = firstKeyCounts(column)
  const n1 = column.ref.length
  const n2 = column.cur.length
  if (firstKey < 0) return 1
  const p1 = (n1 - refCounts[firstKey]!) / n1
  const p2 = (n2 - curCounts[firstKey]!) / n2
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
  if (pooled === 0 || pooled === 1) return 1
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
  // Deliberately 2·(1 − Φ(|z|)) rather than erfc: that is the rounding Evidently reports.
  return 2 * (1 - normalCdf(Math.abs(z)))
}
