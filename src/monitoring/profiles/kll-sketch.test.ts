import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { normal, seededRandom } from '../drift/drift-test-data.test-helper.js'
import { KllSketch, SketchCdf } from './kll-sketch.js'

/** Largest |estimated rank − true rank| / n over every 1% quantile of the data. */
function maxRankError(sketch: KllSketch, sorted: Float64Array): number {
  const cdf = new SketchCdf(sketch)
  let worst = 0
  for (let q = 0.01; q < 1; q += 0.01) {
    const x = sorted[Math.floor(q * sorted.length)]!
    let trueRank = 0
    while (trueRank < sorted.length && sorted[trueRank]! <= x) trueRank++
    worst = Math.max(worst, Math.abs(cdf.rank(x) - trueRank) / sorted.length)
  }
  return worst
}

function data(n: number, seed: number): Float64Array {
  const random = seededRandom(seed)
  return Float64Array.from({ length: n }, () => normal(random))
}

// Measured worst normalised rank error over these seeds, whole or merged from four parts:
// 1.28% at k=100 and 0.92% at k=200 (1.3/k to 1.8/k). The asserted bound, 2.5/k (1.25% at the
// default k=200), is the one docs/monitoring-drift.md states.
const BOUND = 2.5
describe('KllSketch', () => {
  for (const k of [100, 200]) {
    it(`should keep every rank within 2.5/k of n at k=${k}, merged or not`, () => {
      for (const seed of [1, 2, 3]) {
        const values = data(100_000, seed)
        const whole = new KllSketch(k, seed)
        for (const v of values) whole.update(v)
        const parts = [0, 1, 2, 3].map((p) => {
          const s = new KllSketch(k, seed + 10 * p)
          for (let i = p * 25_000; i < (p + 1) * 25_000; i++) s.update(values[i]!)
          return s
        })
        const merged = parts.reduce((a, b) => a.merge(b))
        const sorted = values.slice().sort()
        assert.equal(whole.n, 100_000)
        assert.equal(merged.n, 100_000)
        assert.ok(maxRankError(whole, sorted) <= BOUND / k, `k=${k} seed=${seed}: ${maxRankError(whole, sorted)}`)
        assert.ok(maxRankError(merged, sorted) <= BOUND / k, `merged k=${k} seed=${seed}: ${maxRankError(merged, sorted)}`)
        // Weight is conserved exactly: the CDF reaches n.
        assert.equal(new SketchCdf(merged).rank(Infinity), 100_000)
        // A few k items, not the data, are kept.
        assert.ok(merged.levels.reduce((s, l) => s + l.length, 0) < 4 * k)
      }
    })
  }

  it('should survive a state round trip and continue identically', () => {
    const a = new KllSketch(64, 5)
    const values = data(5000, 9)
    for (const v of values.subarray(0, 3000)) a.update(v)
    const b = KllSketch.fromState(JSON.parse(JSON.stringify(a.toState())))
    for (const v of values.subarray(3000)) {
      a.update(v)
      b.update(v)
    }
    assert.deepEqual(b.toState(), a.toState())
  })

  it('should reject a k below 8', () => {
    assert.throws(() => new KllSketch(4), /k must be an integer ≥ 8/)
  })
})
