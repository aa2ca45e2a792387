import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../../testing/seeded-random.js'
import { detectDrift, type DriftFrame, type RawColumn } from './detect-drift.js'
import { detectDriftInParallel } from './parallel-drift.js'

const ROWS = 250_000

function frame(seed: number, shift: number): Map<string, RawColumn> {
  const random = seededRandom(seed)
  const columns = new Map<string, RawColumn>()
  for (let c = 0; c < 6; c++) {
    const values = new Float64Array(ROWS)
    for (let i = 0; i < ROWS; i++) values[i] = random() * 10 + (c % 2 === 0 ? shift : 0)
    columns.set(`n${c}`, { kind: 'numerical', values })
  }
  columns.set('grade', { kind: 'categorical', values: Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 'a' : 'b')) })
  return columns
}

const copyOf = (f: DriftFrame) => new Map([...f].map(([name, c]) => [name, c.kind === 'numerical' ? { ...c, values: c.values.slice() } : c]))

describe('detectDriftInParallel', () => {
  for (const method of [undefined, 'ks', 'psi'] as const) {
    it(`should give detectDrift's report, column for column, with ${method ?? 'the default tests'} on two threads`, async () => {
      const reference = frame(1, 0)
      const current = frame(2, 0.5)
      const [refBefore, curBefore] = [copyOf(reference), copyOf(current)]
      const options = method ? { method } : {}
      const parallel = await detectDriftInParallel(reference, current, options, 2)
      assert.deepEqual(parallel, detectDrift(refBefore, curBefore, options))
      // Every column's buffers came back from the worker whole.
      assert.deepEqual(reference, refBefore)
      assert.deepEqual(current, curBefore)
    })
  }

  it('should stay on this thread for small frames and still give the same report', async () => {
    const small = (seed: number) => new Map<string, RawColumn>([['x', { kind: 'numerical', values: Float64Array.from({ length: 100 }, seededRandom(seed)) }], ['y', { kind: 'numerical', values: Float64Array.from({ length: 100 }, seededRandom(seed + 1)) }]])
    assert.deepEqual(await detectDriftInParallel(small(1), small(3), {}, 4), detectDrift(small(1), small(3)))
  })
})
