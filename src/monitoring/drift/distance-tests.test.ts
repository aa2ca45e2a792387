import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hellinger, klDivergence, populationStd, wassersteinDistance } from './distance-tests.js'
import type { DriftColumn } from './drift-column.js'

function categorical(ref: string[], cur: string[]): DriftColumn {
  return { type: 'categorical', ref, cur }
}

function numerical(ref: number[], cur: number[]): DriftColumn {
  return { type: 'numerical', ref: Float64Array.from(ref).sort(), cur: Float64Array.from(cur).sort(), integer: false }
}

const repeat = (value: string, times: number): string[] => Array<string>(times).fill(value)

describe('klDivergence', () => {
  it('should equal SciPy entropy(ref, cur) over ε-filled, renormalised shares', () => {
    const ref = [...repeat('a', 5), ...repeat('b', 3), ...repeat('c', 2)]
    const cur = ['a', 'b', 'c', 'd']
    // scipy.stats.entropy([0.5, 0.3, 0.2, 0.0001], [0.25] * 4)
    const score = klDivergence(categorical(ref, cur))
    assert.ok(Math.abs(score - 0.3557233651178863) < 1e-15, String(score))
  })
})

describe('hellinger', () => {
  it('should be 0 for identical and 1 for disjoint categories', () => {
    assert.equal(hellinger(categorical(['a', 'b'], ['b', 'a'])), 0)
    assert.equal(hellinger(categorical(['a', 'a'], ['b'])), 1)
  })

  it('should be 0 for identical and 1 for disjoint numeric samples', () => {
    assert.equal(hellinger(numerical([0, 1, 2, 3], [0, 1, 2, 3])), 0)
    assert.equal(hellinger(numerical([0, 1], [2, 3])), 1)
  })
})

describe('wassersteinDistance', () => {
  it('should give the shift between two translated samples', () => {
    assert.equal(wassersteinDistance(Float64Array.from([0, 1, 3]), Float64Array.from([2, 3, 5])), 2)
  })

  it('should handle ties across both samples', () => {
    // scipy.stats.wasserstein_distance([1, 1, 2], [1, 2, 2]) = 1/3
    assert.ok(Math.abs(wassersteinDistance(Float64Array.from([1, 1, 2]), Float64Array.from([1, 2, 2])) - 1 / 3) < 1e-15)
  })
})

describe('populationStd', () => {
  it('should use ddof = 0 as NumPy does', () => {
    assert.equal(populationStd(Float64Array.from([1, 3])), 1)
  })
})
