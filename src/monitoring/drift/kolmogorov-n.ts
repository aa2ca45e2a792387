/**
 * Survival function of the one-sample two-sided Kolmogorov statistic D_n, P(D_n > x), which SciPy's
 * `ks_2samp(method='auto')` evaluates at n = round(n1·n2/(n1+n2)) once a sample exceeds 10,000
 * rows (`kstwo.sf`). The regimes follow Simard & L'Ecuyer (2011) exactly as SciPy selects them,
 * because one of them (Pelz–Good) is an approximation and must be the same approximation:
 * Ruben–Gambino closed forms at the ends, 2× the one-sided Smirnov sum in the upper tail,
 * the Durbin matrix (Marsaglia–Tsang–Wang) for small n·x², Pelz–Good otherwise.
 */

const E128 = 2 ** 128
const EM128 = 2 ** -128
const LOG_2PI = Math.log(2 * Math.PI)
const SQRT_2PI = Math.sqrt(2 * Math.PI)
const PI2 = Math.PI ** 2
const PI4 = Math.PI ** 4
const PI6 = Math.PI ** 6
const MIN_LOG = -708
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
]

const clip = (p: number): number => Math.min(1, Math.max(0, p))

/** ln(n!/nⁿ) by Stirling's series, for n > 140. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n
  let poly = 0
  for (const c of STIRLING) poly = poly * (rn / n) + c
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly
}

// ---- One-sided Smirnov sum, term by term as (d/p)·Binomial(v; n, p) with Loader's saddle point.

/** ln(k!) − ln(√(2π)·(k+½)…): the Stirling remainder, exact for small integers. */
const STIRLERR_SMALL: number[] = (() => {
  const out = [0]
  let logFactorial = 0
  for (let k = 1; k <= 15; k++) {
    logFactorial += Math.log(k)
    out.push(logFactorial - (k + 0.5) * Math.log(k) + k - LOG_2PI / 2)
  }
  return out
})()

function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n]!
  const nn = n * n
  const S0 = 1 / 12, S1 = 1 / 360, S2 = 1 / 1260, S3 = 1 / 1680, S4 = 1 / 1188
  if (n > 500) return (S0 - S1 / nn) / n
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
}

/** x·ln(x/m) + m − x without cancellation when x ≈ m (Loader 2000). */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    const v = (x - m) / (x + m)
    let s = (x - m) * v
    let ej = 2 * x * v
    const v2 = v * v
    for (let j = 1; j < 1000; j++) {
      ej *= v2
      const s1 = s + ej / (2 * j + 1)
      if (s1 === s) return s1
      s = s1
    }
    return s
  }
  return x * Math.log(x / m) + m - x
}

/** C(n,v)·d·(d+v/n)^(v−1)·(1−d−v/n)^(n−v), the v-th term of the Smirnov sum, for 0 < d < 1. */
function smirnovTerm(n: number, d: number, v: number): number {
  const nd = n * d
  const q = n - v - nd // n·(1 − p)
  if (q <= 0) return 0
  if (v === 0) return Math.exp(n * Math.log1p(-d))
  const np = nd + v
  const lc = stirlerr(n) - stirlerr(v) - stirlerr(n - v) - bd0(v, np) - bd0(n - v, q)
  const binomial = Math.exp(lc) * Math.sqrt(n / (2 * Math.PI * v * (n - v)))
  return (nd / np) * binomial
}

/**
 * P(D⁺_n ≥ d) by the Smirnov/Birnbaum–Tingey sum. All terms are positive, so summing from the
 * largest outwards and stopping at 1e-18 of the total loses nothing a double can hold.
 */
export function smirnovSf(n: number, d: number): number {
  if (d <= 0) return 1
  if (d >= 1) return 0
  const last = Math.floor(n * (1 - d))
  const start = Math.min(last, Math.max(0, Math.round((n * (1 - 2 * d)) / 2)))
  let total = 0
  for (let v = start; v <= last; v++) {
    const t = smirnovTerm(n, d, v)
    total += t
    // The walk starts at the largest term, so once terms underflow or fade, the rest do too.
    if (v > start + 2 && (t < 1e-18 * total || t === 0)) break
  }
  for (let v = start - 1; v >= 0; v--) {
    const t = smirnovTerm(n, d, v)
    total += t
    if (t < 1e-18 * total || t === 0) break
  }
  return clip(total)
}

// ---- Durbin's matrix method (Marsaglia, Tsang & Wang 2003), exact CDF for moderate n·d.

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!
      if (aik === 0) continue
      for (let j = 0; j < m; j++) out[i * m + j]! += aik * b[k * m + j]!
    }
  }
  return out
}

export function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1
  const nd = n * d
  if (nd <= 0.5) return 0
  const k = Math.ceil(nd)
  const h = k - nd
  const m = 2 * k - 1
  let H: Float64Array = new Float64Array(m * m)
  const v = new Float64Array(m)
  const w = new Float64Array(m)
  let fac = 1
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac
    fac /= j
    v[j - 1] = (1 - h ** j) * fac
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m
  v[m - 1] = (1 + tt) * fac
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!
  for (let r = 0; r < m; r++) H[r * m] = v[r]!
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!
  let power: Float64Array = new Float64Array(m * m)
  for (let i = 0; i < m; i++) power[i * m + i] = 1
  let nn = n
  let exponent = 0
  let hExponent = 0
  while (nn > 0) {
    if (nn % 2) {
      power = matmul(power, H, m)
      exponent += hExponent
    }
    H = matmul(H, H, m)
    hExponent *= 2
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < H.length; i++) H[i]! /= E128
      hExponent += 128
    }
    nn = Math.floor(nn / 2)
  }
  let p = power[(k - 1) * m + (k - 1)]!
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n
    if (Math.abs(p) < EM128) {
      p *= E128
      exponent -= 128
    }
  }
  return clip(p * 2 ** exponent)
}

// ---- Pelz–Good asymptotic expansion of the CDF.

export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const z = Math.sqrt(n) * x
  const z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
  const qlog = -PI2 / 8 / z2
  if (qlog < MIN_LOG) return 0
  let q = Math.exp(qlog)
  const k1a = -z2, k1b = PI2 / 4
  const k2a = 6 * z6 + 2 * z4, k2b = ((2 * z4 - 5 * z2) * PI2) / 4, k2c = (PI4 * (1 - 2 * z2)) / 16
  const k3d = (PI6 * (5 - 30 * z2)) / 64
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4
  const k3a = -30 * z6 - 90 * z ** 8
  const K = [0, 0, 0, 0]
  const maxk = Math.ceil((16 * z) / Math.PI)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1
    const m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
    const qp = q ** (8 * k)
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!
  }
  const denominators = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10]
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / denominators[i]!
  q = Math.exp(-PI2 / 2 / z2)
  let k2extra = 0
  let k3extra = 0
  const sqrt3z = Math.sqrt(3) * z
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k
    const qk = q ** k2
    k2extra += k2 * qk
    const kpi = Math.PI * k
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk
  }
  K[2]! += (k2extra * PI2 * SQRT_2PI) / (-36 * z3)
  K[3]! += (k3extra * PI2 * SQRT_2PI) / (216 * z6)
  let sum = 0
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2)
  return sum
}

/** P(D_n > x) for integer n ≥ 1, as SciPy's `kstwo.sf(x, n)`. */
export function kolmogorovNSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN
  if (x >= 1) return 0
  if (x <= 0) return 1
  const t = n * x
  if (t <= 1) {
    if (t <= 0.5) return 1
    const cdf =
      n <= 140
        ? Array.from({ length: n }, (_, i) => ((i + 1) / n) * (2 * t - 1)).reduce((a, b) => a * b, 1)
        : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1))
    return clip(1 - cdf)
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n)
  if (x >= 0.5) return clip(2 * smirnovSf(n, x))
  const nx2 = t * x
  if (n <= 140) {
    // SciPy uses Pomeranz's recursion for 0.754693 < n·x² ≤ 4; Durbin's matrix is exact there too.
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x))
    return clip(2 * smirnovSf(n, x))
  }
  if (nx2 >= 370) return 0
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x))
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x)
  return clip(1 - cdf)
}
