import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RunInfo, TrackingStore } from '../../tracking/index.js'
import { SqlTrackingStore } from '../sql/tracking/sql-tracking-store.js'
import type { TestBackend } from './test-databases.js'

function runInfo(runId: string): RunInfo {
  return { runId, experimentId: '0', runName: runId.slice(0, 8), userId: 'alice', status: 'RUNNING', startTime: 1, artifactUri: `mlflow-artifacts:/0/${runId}/artifacts`, lifecycleStage: 'active' }
}

const SPIKE_STEP = 3217
const DIP_STEP = 12_345

/** A slow wave with one spike up and one dip down, each a single point, over `length` steps. */
function wave(start: number, length: number) {
  return Array.from({ length }, (_, i) => {
    const step = start + i
    const value = step === SPIKE_STEP ? 100 : step === DIP_STEP ? -100 : Math.sin(step / 500)
    return { key: 'loss', value, timestamp: 1000 + step, step }
  })
}

/** TrackingStore.downsampleMetricHistory on every backend: shape kept, spikes kept, counts exact. */
export function describeMetricDownsample(backend: TestBackend): void {
  describe(`${backend.name}: metric history downsampling`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: TrackingStore
    const big = 'd'.repeat(32)
    const small = 'e'.repeat(32)
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlTrackingStore(opened.database)
      await store.createRun(runInfo(big), [])
      await store.createRun(runInfo(small), [])
      for (let start = 0; start < 20_000; start += 1000) await store.logBatch(big, { metrics: wave(start, 1000), params: [], tags: [] })
      // Sent twice, as a client retrying after a lost answer does: stored once, counted once.
      await store.logBatch(big, { metrics: wave(0, 10), params: [], tags: [] })
      await store.logBatch(small, { metrics: [...wave(0, 30), { key: 'loss', value: Number.NaN, timestamp: 5, step: 30 }], params: [], tags: [] })
    })
    after(() => cleanup())

    it('should keep a one-point spike and dip when it cuts 20,000 points into 100 buckets', async () => {
      const [series] = await store.downsampleMetricHistory({ runIds: [big], key: 'loss', points: 100 })
      assert.ok(series)
      assert.equal(series.totalPoints, 20_000)
      assert.ok(series.steps.length <= 200, `got ${series.steps.length} points`)
      assert.equal(series.values[series.steps.indexOf(SPIKE_STEP)], 100)
      assert.equal(series.values[series.steps.indexOf(DIP_STEP)], -100)
      assert.deepEqual(series.steps, [...series.steps].sort((a, b) => a - b))
      assert.ok(Math.max(...series.values.filter((v) => v < 50)) > 0.99, 'the wave keeps its crests')
    })

    it('should return a short history whole, without its NaN point', async () => {
      const [series] = await store.downsampleMetricHistory({ runIds: [small], key: 'loss', points: 100 })
      assert.equal(series!.totalPoints, 31)
      assert.deepEqual(series!.steps, Array.from({ length: 30 }, (_, i) => i))
    })

    it('should answer empty arrays for a run without the key', async () => {
      const [series] = await store.downsampleMetricHistory({ runIds: [small], key: 'missing', points: 100 })
      assert.deepEqual(series, { runId: small, steps: [], values: [], totalPoints: 0 })
    })

    it('should follow points logged after the first read', async () => {
      await store.logBatch(big, { metrics: [{ key: 'loss', value: 500, timestamp: 1, step: 20_500 }], params: [], tags: [] })
      const [series] = await store.downsampleMetricHistory({ runIds: [big], key: 'loss', points: 100 })
      assert.equal(series!.totalPoints, 20_001)
      assert.equal(series!.steps.at(-1), 20_500)
      assert.equal(series!.values.at(-1), 500)
    })
  })
}
