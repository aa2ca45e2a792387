import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RunInfo } from '../../../tracking/index.js'
import type { RunQuery } from '../../../tracking/tracking-store.js'
import { TEST_BACKENDS } from '../../contract/test-databases.js'
import type { SqlDatabase } from '../sql-database.js'
import { searchRunRows, type ProbeWindow } from './sql-run-search.js'
import { SqlTrackingStore } from './sql-tracking-store.js'

interface Seeded {
  runId: string
  startTime: number
  score?: number
  gate: number
}

/** A tiny window, so that pages end exactly at, before and after its edge with a few dozen runs. */
const SMALL_WINDOW: ProbeWindow = { perRow: 3, min: 2, maxRows: 1_000 }

function runInfo(experimentId: string, runId: string, startTime: number): RunInfo {
  return { runId, experimentId, runName: runId, userId: 'u', status: 'FINISHED', startTime, artifactUri: 'a', lifecycleStage: 'active' }
}

/** The order a single full sort gives: runs with the metric by its value, then the rest; then newest, then by id. */
function expected(runs: Seeded[], ascending: boolean, gated: boolean): string[] {
  const byId = (a: Seeded, b: Seeded) => (a.runId < b.runId ? -1 : 1)
  return runs
    .filter((r) => !gated || r.gate > 0.5)
    .sort((a, b) => {
      if ((a.score === undefined) !== (b.score === undefined)) return a.score === undefined ? 1 : -1
      if (a.score !== b.score) return (ascending ? 1 : -1) * (a.score! - b.score!)
      return b.startTime - a.startTime || byId(a, b)
    })
    .map((r) => r.runId)
}

for (const backend of TEST_BACKENDS) {
  describe(`${backend.name}: run search ordered by a metric`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    const runs: Seeded[] = []

    before(async () => {
      ;({ database, cleanup } = await backend.open())
      const store = new SqlTrackingStore(database)
      for (const id of ['e1', 'e2']) {
        await store.createExperiment({ experimentId: id, name: id, artifactLocation: 'a', lifecycleStage: 'active', creationTime: 1, lastUpdateTime: 1, tags: [] })
      }
      // Few distinct values and start times, so ties meet the window's edge; runs of another
      // experiment fill part of the window without belonging to the result.
      for (let i = 0; i < 48; i++) {
        const experimentId = i % 5 === 4 ? 'e2' : 'e1'
        const run: Seeded = { runId: `r${String(i).padStart(2, '0')}`.padEnd(32, '0'), startTime: 100 + (i % 4), gate: (i * 7) % 3 === 0 ? 1 : 0 }
        if (i % 6 !== 5) run.score = ((i * 5) % 4) / 10
        await store.createRun(runInfo(experimentId, run.runId, run.startTime), [])
        const metrics = [{ key: 'gate', value: run.gate, timestamp: 1, step: 0 }]
        if (run.score !== undefined) metrics.push({ key: 'score', value: run.score, timestamp: 1, step: 0 })
        await store.logBatch(run.runId, { metrics, params: [], tags: [] })
        if (experimentId === 'e1') runs.push(run)
      }
    })
    after(() => cleanup())

    for (const probe of [false, true]) {
      for (const window of [undefined, SMALL_WINDOW]) {
        if (!probe && window) continue
        it(`should page exactly as one full sort would (${probe ? `window probe, ${window ? 'small' : 'default'} window` : 'planner only'})`, async () => {
          const features = { ...database.features, probesOrderedWindow: probe }
          for (const ascending of [false, true]) {
            for (const gated of [false, true]) {
              const all = expected(runs, ascending, gated)
              for (const limit of [1, 4, 10]) {
                for (let offset = 0; offset <= all.length + 1; offset++) {
                  const query: RunQuery = {
                    experimentIds: ['e1'],
                    view: 'ACTIVE_ONLY',
                    filter: gated ? [{ entity: 'metric', key: 'gate', comparator: '>', value: 0.5 }] : [],
                    orderBy: [{ entity: 'metric', key: 'score', ascending }],
                    offset,
                    limit,
                  }
                  const rows = await searchRunRows(database.db, features, query, window)
                  const label = `ascending=${ascending} gated=${gated} limit=${limit} offset=${offset}`
                  assert.deepEqual(rows.map((r) => r.run_uuid), all.slice(offset, offset + limit + 1), label)
                }
              }
            }
          }
        })
      }
    }
  })
}
