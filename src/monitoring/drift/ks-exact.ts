/**
 * Exact two-sided p-value of the two-sample Kolmogorov–Smirnov statistic, as SciPy's
 * `ks_2samp(method='exact')` computes it. The statistic is passed as the integer
 * h = D · lcm(n1, n2), which is exact, so no rounding of D can move the lattice boundary.
 */

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/**
 * Equal sizes: P(D ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n). Each ratio of binomials is
 * built as a product of h small fractions and the alternating sum is nested Horner-style, which
 * avoids both overflow and the cancellation of the plain alternating series.
 */
function probabilityOutsideSquare(n: number, h: number): number {
  let p = 0
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1)
    p = ratio * (1 - p)
  }
  return 2 * p
}

/**
 * Unequal sizes: share of monotone lattice paths from (0,0) to (m,n) that leave the band
 * |x/m − y/n| < h/lcm. The recursion carries the share of paths that have already left (Viehmann
 * 2021, arXiv:2102.08037), so small p-values keep full relative precision; points outside the band
 * hold 1. One column is updated in place: the band only moves upward, so stale cells below it are
 * never read again.
 */
function probabilityOutsideBand(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m]
  const mg = m / g
  const ng = n / g
  const column = new Float64Array(n + 1).fill(1)
  const firstTop = Math.min(Math.ceil(h / mg), n + 1)
  column.fill(0, 0, firstTop)
  let top = firstTop
  for (let i = 1; i <= m; i++) {
    const bottom = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n)
    top = Math.min(Math.ceil((ng * i + h) / mg), n + 1)
    if (top <= bottom) return 1
    let below = bottom === 0 ? 0 : 1
    for (let j = bottom; j < top; j++) {
      below = (column[j]! * i + below * j) / (i + j)
      column[j] = below
    }
  }
  return column[top - 1]!
}

/**
 * Two-sided exact p-value for sample sizes n1, n2 and statistic h/lcm(n1, n2).
 * Returns 1 when h is 0 and clips to [0, 1] like SciPy.
 */
export function ksExactPValue(n1: number, n2: number, h: number): number {
  if (h <= 0) return 1
  const g = gcd(n1, n2)
  const p = n1 === n2 ? probabilityOutsideSquare(n1, h) : probabilityOutsideBand(n1, n2, g, h)
  return Math.min(1, Math.max(0, p))
}
