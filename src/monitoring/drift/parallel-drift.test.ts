import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { seededRandom } from '../../testing/seeded-random.js'
import { detectDrift, type DriftFrame, type RawColumn } from './detect-drift.js'
import { DriftThreads } from './drift-threads.js'
import { detectDriftInParallel } from './parallel-drift.js'

const ROWS = 250_000

/** Six numeric columns in shared memory, as `readCsvColumns` reads them, and one categorical. */
function frame(seed: number, shift: number, shared = true): Map<string, RawColumn> {
  const random = seededRandom(seed)
  const columns = new Map<string, RawColumn>()
  for (let c = 0; c < 6; c++) {
    const values = new Float64Array(shared ? new SharedArrayBuffer(ROWS * 8) : new ArrayBuffer(ROWS * 8))
    // Even columns have few decimals (the integer-key paths), odd ones full doubles (the radix sort).
    for (let i = 0; i < ROWS; i++) values[i] = c % 2 === 0 ? Math.round((random() * 10 + shift) * 1000) / 1000 : random() * 10
    columns.set(`n${c}`, { kind: 'numerical', values })
  }
  columns.set('grade', { kind: 'categorical', values: Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 'a' : 'b')) })
  return columns
}

const copyOf = (f: DriftFrame) => new Map([...f].map(([name, c]) => [name, c.kind === 'numerical' ? { ...c, values: c.values.slice() } : c]))

describe('detectDriftInParallel', () => {
  const threads = new DriftThreads(1)
  after(() => threads.close())

  for (const method of [undefined, 'ks', 'psi'] as const) {
    it(`should give detectDrift's report, column for column, with ${method ?? 'the default tests'} on a started pool`, async () => {
      const reference = frame(1, 0)
      const current = frame(2, 0.5)
      const [refBefore, curBefore] = [copyOf(reference), copyOf(current)]
      const options = method ? { method } : {}
      const parallel = await detectDriftInParallel(reference, current, options, threads)
      assert.deepEqual(parallel, detectDrift(refBefore, curBefore, options))
      // The workers read the shared columns and wrote nothing into them.
      assert.deepEqual(reference, refBefore)
      assert.deepEqual(current, curBefore)
    })
  }

  it('should run several jobs on a pool started beforehand and leave it open', async () => {
    const [reference, current] = [frame(3, 0), frame(4, 0.2)]
    for (const method of ['ks', 'wasserstein'] as const) {
      assert.deepEqual(await detectDriftInParallel(reference, current, { method }, threads), detectDrift(reference, current, { method }))
    }
    assert.equal(threads.size, 1)
  })

  it('should start and close a pool of its own when given a thread count', async () => {
    const [reference, current] = [frame(7, 0), frame(8, 0.1)]
    assert.deepEqual(await detectDriftInParallel(reference, current, { method: 'psi' }, 2), detectDrift(reference, current, { method: 'psi' }))
  })

  it('should keep columns outside shared memory on this thread and still give the same report', async () => {
    const [reference, current] = [frame(5, 0, false), frame(6, 0.3, false)]
    assert.deepEqual(await detectDriftInParallel(reference, current, {}, threads), detectDrift(reference, current))
  })

  it('should stay on this thread for small frames and still give the same report', async () => {
    const small = (seed: number) => new Map<string, RawColumn>([['x', { kind: 'numerical', values: Float64Array.from({ length: 100 }, seededRandom(seed)) }], ['y', { kind: 'numerical', values: Float64Array.from({ length: 100 }, seededRandom(seed + 1)) }]])
    assert.deepEqual(await detectDriftInParallel(small(1), small(3), {}, 4), detectDrift(small(1), small(3)))
  })
})
