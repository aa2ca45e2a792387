import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../drift/drift-test-data.test-helper.js'
import { FrequentItems } from './frequent-items.js'

/** A Zipf-like stream over `distinct` items. */
function stream(n: number, distinct: number, seed: number): string[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, () => `item${Math.floor(distinct ** random()) - 1}`)
}

function exactCounts(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1)
  return counts
}

describe('FrequentItems', () => {
  it('should be exact while there are no more distinct items than counters', () => {
    const items = stream(10_000, 50, 1)
    const sketch = new FrequentItems(64)
    for (const i of items) sketch.update(i)
    assert.equal(sketch.exact, true)
    assert.deepEqual(new Map([...sketch.counts].sort()), new Map([...exactCounts(items)].sort()))
  })

  it('should undercount by at most error ≤ n/(capacity+1), also after merging', () => {
    const items = stream(50_000, 5000, 2)
    const truth = exactCounts(items)
    const whole = new FrequentItems(32)
    for (const i of items) whole.update(i)
    const a = new FrequentItems(32)
    const b = new FrequentItems(32)
    items.forEach((i, k) => (k % 2 === 0 ? a : b).update(i))
    const merged = a.merge(b)
    for (const sketch of [whole, merged]) {
      assert.ok(sketch.error <= items.length / 33, `error ${sketch.error}`)
      assert.ok(sketch.counts.size <= 32)
      for (const [item, count] of truth) {
        const kept = sketch.counts.get(item) ?? 0
        assert.ok(kept <= count && count - kept <= sketch.error, `${item}: kept ${kept}, true ${count}, error ${sketch.error}`)
      }
    }
  })
})
