import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { seededRandom } from '../../testing/seeded-random.js'
import { MemoryPredictionLogStore } from '../../testing/memory-prediction-log-store.js'
import { PredictionLogDataSource } from './monitor-data-source.js'
import { loggedRequest } from './monitor-fixtures.test-helper.js'
import { profileWindowDrift, toDriftFrame, windowDrift } from './monitor-evaluation.js'
import { parseMonitorSpec } from './monitor-spec.js'

const uniform = seededRandom(11)
const normal = (shift: number) => shift + Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())

describe('PredictionLogDataSource past its row cap', () => {
  const spec = parseMonitorSpec({ name: 'm', deployment: 'api', schedule: '* * * * *', window: '1h', method: 'wasserstein', conditions: [{ type: 'drift_share', threshold: 0.5 }] })

  it('should profile every row of a window larger than the cap, so drift late in the window is seen', async () => {
    const logs = new MemoryPredictionLogStore()
    const start = Date.now() - 60_000
    // The first 1,000 rows look like the reference; the 3,000 after them are shifted by 3.
    await logs.appendBatch(Array.from({ length: 4000 }, (_, i) => loggedRequest(start + i, { x: [normal(i < 1000 ? 0 : 3)] }, { deployment: 'api' })))
    const source = new PredictionLogDataSource(logs, { maxRows: 1000, profileChunkRows: 700 })

    const window = await source.window({ deployment: 'api', start, end: start + 60_000 })

    assert.equal(window.truncated, true)
    assert.equal(window.rows, 1000)
    assert.equal(window.requests, 4000)
    assert.equal(window.profile?.columns.get('x')?.n, 4000)
    const reference = toDriftFrame(new Map([['x', Array.from({ length: 4000 }, () => normal(0))]]))
    // The capped rows alone hide the shift; the profile of the whole window shows it.
    assert.equal(windowDrift(reference, toDriftFrame(window.columns), spec).features[0]!.drift, false)
    const drift = profileWindowDrift(reference, window.profile!, spec)
    assert.equal(drift.features[0]!.drift, true)
    assert.ok(drift.features[0]!.score! > 1, `wasserstein distance ${drift.features[0]!.score}`)
  })

  it('should keep no profile when every row fits under the cap', async () => {
    const logs = new MemoryPredictionLogStore()
    const start = Date.now() - 60_000
    await logs.appendBatch(Array.from({ length: 50 }, (_, i) => loggedRequest(start + i, { x: [normal(0)] }, { deployment: 'api' })))
    const window = await new PredictionLogDataSource(logs, { maxRows: 100 }).window({ deployment: 'api', start, end: start + 60_000 })
    assert.equal(window.truncated, false)
    assert.equal(window.profile, undefined)
    assert.equal(window.rows, 50)
  })
})
