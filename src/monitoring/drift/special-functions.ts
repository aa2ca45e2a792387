/**
 * Special functions behind the drift p-values: log-gamma, the regularized incomplete gamma
 * function, erf/erfc, the normal CDF and the chi-square survival function. Written to agree with
 * SciPy (Cephes) to about 1e-14 relative, so Evidently's scores can be reproduced to 1e-9.
 */

const LANCZOS_G = 7
// Lanczos coefficients for g = 7, n = 9: about 1e-15 relative error for positive arguments.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
]
const HALF_LOG_TWO_PI = 0.9189385332046728
const EPSILON = 1e-16
const MAX_ITERATIONS = 100_000

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in the region where it is accurate.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  }
  const z = x - 1
  let sum = LANCZOS[0]!
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i)
  const t = z + LANCZOS_G + 0.5
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

/** x^a e^-x / Γ(a), computed in log space so large a does not overflow. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - logGamma(a))
}

/** Series for P(a, x); converges quickly when x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a
  let sum = term
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n)
    sum += term
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break
  }
  return sum * gammaPrefactor(a, x)
}

/** Continued fraction (modified Lentz) for Q(a, x); converges quickly when x >= a + 1. */
function upperGammaFraction(a: number, x: number): number {
  const tiny = 1e-300
  let b = x + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPSILON) break
  }
  return h * gammaPrefactor(a, x)
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0
  if (x === Infinity) return 1
  return x < a + 1 ? lowerGammaSeries(a, x) : 1 - upperGammaFraction(a, x)
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1
  if (x === Infinity) return 0
  return x < a + 1 ? 1 - lowerGammaSeries(a, x) : upperGammaFraction(a, x)
}

/** Error function, via erf(x) = P(1/2, x²). */
export function erf(x: number): number {
  const value = gammaP(0.5, x * x)
  return x < 0 ? -value : value
}

/** Complementary error function, via erfc(x) = Q(1/2, x²) for x ≥ 0, without cancellation. */
export function erfc(x: number): number {
  return x < 0 ? 1 + gammaP(0.5, x * x) : gammaQ(0.5, x * x)
}

/**
 * Standard normal CDF. Follows Cephes `ndtr` branch for branch (erf near 0, erfc in the tails and
 * `1 − ½erfc` above), so `1 − normalCdf(z)` rounds the way SciPy's does in Evidently's z-test.
 */
export function normalCdf(a: number): number {
  if (Number.isNaN(a)) return NaN
  const x = a * Math.SQRT1_2
  const z = Math.abs(x)
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x)
  const y = 0.5 * erfc(z)
  return x > 0 ? 1 - y : y
}

/** Survival function of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(statistic: number, df: number): number {
  if (!(df > 0) || Number.isNaN(statistic)) return NaN
  return gammaQ(df / 2, statistic / 2)
}
