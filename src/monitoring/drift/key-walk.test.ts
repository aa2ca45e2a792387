import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from './drift-test-data.test-helper.js'
import { ksStatisticFromKeys, wassersteinFromKeys } from './key-walk.js'
import { wassersteinDistance } from './distance-tests.js'
import { ksStatistic } from './p-value-tests.js'

const sorted = (values: Float64Array): Float64Array => values.slice().sort()

function fixed(length: number, digits: number, spread: number, shift: number, seed: number): Float64Array {
  const random = seededRandom(seed)
  return Float64Array.from({ length }, () => Number(((random() - 0.5) * spread + shift).toFixed(digits)))
}

/** Pairs of samples with decimal keys, each walked directly or in key groups. */
const cases: [Float64Array, Float64Array][] = [
  // a few hundred distinct integers: heavy ties, one key group
  [fixed(30_000, 0, 400, 0, 1), fixed(20_000, 0, 400, 7, 2)],
  // six decimals over ±0.3: about ten groups of 65,536 keys
  [fixed(50_000, 6, 0.6, 0, 3), fixed(40_000, 6, 0.6, 0.01, 4)],
  // sides with different decimals share the finer scale; −0 ties with +0
  [Float64Array.from([-0, 0.5, 1.25, 2, -3, 0, 7.5]), Float64Array.from([0, 1.2, 1.25, -0.5, 9, 2, 2])],
  // identical samples: D = 0
  [fixed(5_000, 2, 10, 0, 5), fixed(5_000, 2, 10, 0, 5)],
]

describe('statistics from decimal keys', () => {
  it('should give the KS statistic the sorted merge gives, to the last bit, for ties, negatives, zeros and many key groups', () => {
    for (const [ref, cur] of cases) {
      const expected = ksStatistic(sorted(ref), sorted(cur))
      assert.ok(Object.is(ksStatisticFromKeys(ref, cur), expected), `${ksStatisticFromKeys(ref, cur)} vs ${expected}`)
    }
  })

  it('should give the Wasserstein distance the sorted merge gives, to the last bit', () => {
    for (const [ref, cur] of cases) {
      const expected = wassersteinDistance(sorted(ref), sorted(cur))
      assert.ok(Object.is(wassersteinFromKeys(ref, cur), expected), `${wassersteinFromKeys(ref, cur)} vs ${expected}`)
    }
  })

  it('should leave values without short decimal keys, or too wide a key range, to the sort', () => {
    const random = seededRandom(9)
    const noisy = Float64Array.from({ length: 1000 }, () => random())
    assert.equal(ksStatisticFromKeys(noisy, fixed(1000, 2, 1, 0, 1)), undefined)
    // 6 decimals over a range of a million: 10^12 keys for 2,000 values
    assert.equal(ksStatisticFromKeys(fixed(1000, 6, 1e6, 0, 2), fixed(1000, 6, 1e6, 0, 3)), undefined)
    // keys past 32 bits
    assert.equal(ksStatisticFromKeys(Float64Array.from([3e9, 1]), Float64Array.from([2])), undefined)
  })
})
