import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from './drift-test-data.test-helper.js'
import { sortFloat64 } from './sort-float64.js'

describe('sortFloat64', () => {
  it('should order large arrays exactly as Float64Array.prototype.sort, including signs, zeros and ties', () => {
    const random = seededRandom(3)
    const values = Float64Array.from({ length: 50_000 }, (_, i) =>
      i % 97 === 0 ? -0 : i % 89 === 0 ? 0 : i % 7 === 0 ? Math.round(random() * 10) : (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20),
    )
    values[1] = Number.MAX_VALUE
    values[2] = -Number.MAX_VALUE
    values[3] = Number.MIN_VALUE
    const expected = values.slice().sort()
    const actual = sortFloat64(values)
    assert.equal(actual, values)
    assert.ok(actual.every((v, i) => Object.is(v, expected[i])))
  })

  it('should sort small arrays with the built-in sort', () => {
    assert.deepEqual([...sortFloat64(Float64Array.from([3, -1, 2]))], [-1, 2, 3])
  })

  it('should sort a view into a larger buffer without touching the rest', () => {
    const buffer = Float64Array.from({ length: 10_002 }, (_, i) => 10_002 - i)
    const view = buffer.subarray(1, 10_001)
    sortFloat64(view)
    assert.deepEqual([buffer[0], view[0], view[9_999], buffer[10_001]], [10_002, 2, 10_001, 1])
  })

  it('should sort few-decimal values (counting and 32-bit key paths) exactly as the built-in sort', () => {
    const random = seededRandom(5)
    const cases = [
      // narrow range: counting sort
      Float64Array.from({ length: 20_000 }, () => Math.floor(random() * 1000) - 500),
      // six decimals over a wide range: two 16-bit passes on integer keys
      Float64Array.from({ length: 20_000 }, () => Number(((random() - 0.5) * 2000).toFixed(6))),
      // mixed decimals, with a value that needs more than 9 (falls back to the double radix sort)
      Float64Array.from({ length: 20_000 }, (_, i) => (i === 7 ? 0.1 + 0.2 : Number((random() * 50).toFixed(i % 4)))),
    ]
    for (const values of cases) {
      const expected = values.slice().sort()
      sortFloat64(values)
      assert.ok(values.every((v, i) => Object.is(v, expected[i])))
    }
  })
})
