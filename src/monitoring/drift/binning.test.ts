import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { categoryCounts, extent, fillEmptyBins, histogramCounts, histogramCountsUnsorted, numericValueCounts, sturgesEdges } from './binning.js'
import { seededRandom } from './drift-test-data.test-helper.js'

describe('sturgesEdges', () => {
  it('should use the bin counts NumPy gives, including sizes that are powers of two', () => {
    // np.histogram_bin_edges([0]*(n-1) + [ptp], bins='sturges'): 11, 11, 12, 13 bins.
    assert.deepEqual([1000, 1024, 2048, 4096].map((n) => sturgesEdges(0, 0.3, n).length - 1), [11, 11, 12, 13])
    assert.equal(sturgesEdges(0, 0.3, 2048)[1], 0.024999999999999998)
  })

  it('should end exactly on the maximum and widen a constant range by one half each side', () => {
    const edges = sturgesEdges(-1, 2.5, 1000)
    assert.equal(edges[edges.length - 1], 2.5)
    assert.deepEqual([...sturgesEdges(4, 4, 10)].slice(0, 1), [3.5])
  })

  it('should keep integer bins at least one unit wide', () => {
    assert.equal(sturgesEdges(0, 10, 1_000_000, true).length - 1, 10)
    assert.equal(sturgesEdges(0, 10, 1_000_000, false).length - 1, 21)
  })
})

describe('histogramCounts', () => {
  it('should count half-open bins and close the last bin on the right', () => {
    const sorted = Float64Array.from([0, 0.5, 1, 1, 2, 3])
    assert.deepEqual([...histogramCounts(sorted, Float64Array.from([0, 1, 2, 3]))], [2, 2, 2])
  })
})

describe('histogramCountsUnsorted', () => {
  it('should count exactly as the sorted search does, for values on, just beside and between the edges', () => {
    const random = seededRandom(11)
    const cases = [
      // ordinary spread
      Float64Array.from({ length: 20_000 }, () => Number((random() * 100 - 30).toFixed(3))),
      // large values over a tiny range: edges are rounded coarsely relative to the bin width
      Float64Array.from({ length: 20_000 }, () => 1e9 + Math.floor(random() * 1000) / 1024),
    ]
    for (const values of cases) {
      const [min, max] = extent(values)
      const edges = sturgesEdges(min, max, values.length)
      // Put values on every edge and one ulp either side of it.
      const extra = [...edges].flatMap((e) => [e, e + Math.abs(e) * Number.EPSILON, e - Math.abs(e) * Number.EPSILON]).filter((e) => e >= min && e <= max)
      const all = Float64Array.from([...values, ...extra])
      assert.deepEqual([...histogramCountsUnsorted(all, edges)], [...histogramCounts(all.slice().sort(), edges)])
    }
  })
})

describe('value counts', () => {
  it('should count numeric values over the union of both sides', () => {
    const [r, c] = numericValueCounts(Float64Array.from([1, 1, 2]), Float64Array.from([2, 3]))
    assert.deepEqual([[...r], [...c]], [[2, 1, 0], [0, 1, 1]])
  })

  it('should count categories over the union of both sides', () => {
    const [r, c] = categoryCounts(['a', 'b', 'a'], ['c', 'a'])
    assert.deepEqual([[...r], [...c]], [[2, 1, 0], [1, 0, 1]])
  })
})

describe('fillEmptyBins', () => {
  it('should fill zeros with 1e-4 when the smallest share is larger than that', () => {
    assert.deepEqual([...fillEmptyBins(Float64Array.from([0.5, 0.5, 0]))], [0.5, 0.5, 0.0001])
  })

  it('should fill zeros with a millionth of the smallest share when it is at most 1e-4', () => {
    assert.deepEqual([...fillEmptyBins(Float64Array.from([0.99995, 0.00005, 0]))], [0.99995, 0.00005, 0.00005 / 1e6])
  })

  it('should not renormalise the shares', () => {
    const filled = fillEmptyBins(Float64Array.from([1, 0]))
    assert.equal(filled[0]! + filled[1]!, 1.0001)
  })
})
