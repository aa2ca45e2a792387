import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chiSquareSf, erf, erfc, gammaP, gammaQ, logGamma, normalCdf } from './special-functions.js'

/** Values below were printed by SciPy 1.10 (Cephes), the library Evidently calls. */
function assertClose(actual: number, expected: number, relative = 1e-12): void {
  const error = Math.abs(actual - expected) / Math.abs(expected)
  assert.ok(error <= relative, `${actual} differs from ${expected} by ${error} relative`)
}

describe('logGamma', () => {
  it('should match ln Γ at half-integers, integers and large arguments', () => {
    assertClose(logGamma(0.5), 0.5723649429247)
    assertClose(logGamma(10), 12.801827480081469)
    assertClose(logGamma(123.4), 469.3360974421906)
  })
})

describe('incomplete gamma', () => {
  it('should give P and Q that match SciPy and sum to one', () => {
    assertClose(gammaQ(3.5, 2), 0.779777408475716)
    assertClose(gammaP(3.5, 2), 0.22022259152428406)
  })
})

describe('erf and erfc', () => {
  it('should match SciPy near zero, in the tail and for negative arguments', () => {
    assertClose(erf(0.5), 0.5204998778130465)
    assertClose(erfc(1), 0.15729920705028516)
    assertClose(erfc(5), 1.5374597944280347e-12)
    assertClose(erfc(-0.3), 1.3286267594591274)
  })
})

describe('normalCdf', () => {
  it('should match SciPy ndtr in the centre and both tails', () => {
    assertClose(normalCdf(1.96), 0.9750021048517795)
    assertClose(normalCdf(0.3), 0.6179114221889526)
    assertClose(normalCdf(-3), 0.0013498980316300933)
    assertClose(normalCdf(-9), 1.1285884059538324e-19)
  })

  it('should return NaN for NaN', () => {
    assert.ok(Number.isNaN(normalCdf(NaN)))
  })
})

describe('chiSquareSf', () => {
  it('should match SciPy chi2.sf for small and large degrees of freedom and far tails', () => {
    assertClose(chiSquareSf(3.84, 1), 0.05004352124870519)
    assertClose(chiSquareSf(10, 4), 0.04042768199451279)
    assertClose(chiSquareSf(400, 10), 9.413291991183437e-80, 1e-10)
    assertClose(chiSquareSf(900, 1000), 0.9892827619087102)
  })

  it('should give 0 for an infinite statistic and NaN without degrees of freedom', () => {
    assert.equal(chiSquareSf(Infinity, 3), 0)
    assert.ok(Number.isNaN(chiSquareSf(1, 0)))
  })
})
