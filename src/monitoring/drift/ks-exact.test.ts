import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ksExactPValue } from './ks-exact.js'
import { kolmogorovSf, ksLatticeStatistic } from './p-value-tests.js'

/** Values below were printed by SciPy 1.10's exact two-sample KS helpers. */
function assertClose(actual: number, expected: number, relative = 1e-12): void {
  const error = Math.abs(actual - expected) / Math.abs(expected)
  assert.ok(error <= relative, `${actual} differs from ${expected} by ${error} relative`)
}

describe('ksExactPValue', () => {
  it('should match SciPy for equal sample sizes', () => {
    assertClose(ksExactPValue(100, 100, 20), 0.03638428787491733)
    assertClose(ksExactPValue(1000, 1000, 90), 0.0006029005665324465)
  })

  it('should match SciPy for unequal sample sizes, including tiny p-values', () => {
    assertClose(ksExactPValue(300, 200, 60), 0.17313583335670987)
    assertClose(ksExactPValue(1000, 7000, 900), 4.692884822735255e-13, 1e-10)
  })

  it('should return 1 when the statistic is zero', () => {
    assert.equal(ksExactPValue(10, 20, 0), 1)
  })
})

describe('ksLatticeStatistic', () => {
  it('should give D·lcm with ties consumed on both sides', () => {
    const ref = Float64Array.from([1, 2, 2, 3])
    const cur = Float64Array.from([2, 2, 4, 5, 6, 7])
    // After 3: F_ref = 1, F_cur = 2/6, so D = 2/3 and lcm(4, 6) = 12.
    assert.equal(ksLatticeStatistic(ref, cur), 8)
  })
})

describe('kolmogorovSf', () => {
  it('should match SciPy kstwobign.sf on both sides of its series switch', () => {
    assertClose(kolmogorovSf(1.2), 0.11224966667072497)
    assertClose(kolmogorovSf(0.5), 0.9639452436648751)
  })
})
