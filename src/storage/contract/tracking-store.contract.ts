import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { AppError } from '../../shared/errors.js'
import type { Experiment, RunInfo, TrackingStore } from '../../tracking/index.js'
import type { SqlDatabase } from '../sql/sql-database.js'
import { SqlTrackingStore } from '../sql/tracking/sql-tracking-store.js'
import type { TestBackend } from './test-databases.js'

let counter = 0
function experiment(name: string, tags: Experiment['tags'] = []): Experiment {
  counter += 1
  return { experimentId: `9${String(counter).padStart(6, '0')}`, name, artifactLocation: `mlflow-artifacts:/${counter}`, lifecycleStage: 'active', creationTime: 1000 + counter, lastUpdateTime: 1000 + counter, tags }
}

function runInfo(experimentId: string, runId: string, startTime: number, extra: Partial<RunInfo> = {}): RunInfo {
  return { runId, experimentId, runName: `run-${runId}`, userId: 'alice', status: 'RUNNING', startTime, artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycleStage: 'active', ...extra }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as AppError | undefined
  assert.ok(error, `expected ${code}, got success`)
  assert.equal(error.code, code, error.message)
  return error
}

/** One suite for every TrackingStore backend (house rule 7). */
export function describeTrackingStore(backend: TestBackend): void {
  describe(`${backend.name}: TrackingStore`, { skip: backend.skip }, () => {
    let database: SqlDatabase
    let cleanup: () => Promise<void>
    let store: TrackingStore
    before(async () => {
      ;({ database, cleanup } = await backend.open())
      store = new SqlTrackingStore(database)
    })
    after(() => cleanup())

    it('should have the Default experiment with id 0 after migration', async () => {
      const found = await store.getExperiment('0')
      assert.equal(found?.name, 'Default')
    })

    it('should create an experiment with tags and read it by id and by name', async () => {
      const e = experiment('exp-a', [{ key: 'team', value: 'risk' }])
      await store.createExperiment(e)
      assert.deepEqual(await store.getExperiment(e.experimentId), e)
      assert.deepEqual(await store.getExperimentByName('exp-a'), e)
      assert.equal(await store.getExperiment('nope'), undefined)
    })

    it('should return RESOURCE_ALREADY_EXISTS for a taken experiment name', async () => {
      await store.createExperiment(experiment('dup'))
      const error = await rejectsWith(store.createExperiment(experiment('dup')), 'RESOURCE_ALREADY_EXISTS')
      assert.match(error.message, /Experiment\(name=dup\) already exists/)
    })

    it('should search experiments by name LIKE, ILIKE and tag, ordered and paged', async () => {
      for (const name of ['Search-1', 'search-2', 'search-3']) await store.createExperiment(experiment(name, [{ key: 'kind', value: name.endsWith('3') ? 'x' : 'y' }]))
      const like = await store.searchExperiments({ view: 'ALL', filter: [{ entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'search-%' }], orderBy: [{ entity: 'attribute', key: 'name', ascending: true }], offset: 0, limit: 10 })
      assert.deepEqual(like.items.map((e) => e.name), ['search-2', 'search-3'])
      const ilike = await store.searchExperiments({ view: 'ALL', filter: [{ entity: 'attribute', key: 'name', comparator: 'ILIKE', value: 'search-%' }], orderBy: [{ entity: 'attribute', key: 'name', ascending: true }], offset: 0, limit: 2 })
      assert.deepEqual(ilike.items.map((e) => e.name), ['Search-1', 'search-2'])
      assert.ok(ilike.nextPageToken)
      const tagged = await store.searchExperiments({ view: 'ALL', filter: [{ entity: 'tag', key: 'kind', comparator: '=', value: 'x' }], orderBy: [], offset: 0, limit: 10 })
      assert.deepEqual(tagged.items.map((e) => e.name), ['search-3'])
    })

    it('should delete an experiment with its runs and restore both', async () => {
      const e = experiment('to-delete')
      await store.createExperiment(e)
      await store.createRun(runInfo(e.experimentId, 'd'.repeat(32), 1), [])
      await store.setExperimentLifecycle(e.experimentId, 'deleted', 5)
      assert.equal((await store.getExperiment(e.experimentId))?.lifecycleStage, 'deleted')
      assert.equal((await store.getRunInfo('d'.repeat(32)))?.lifecycleStage, 'deleted')
      const active = await store.searchExperiments({ view: 'ACTIVE_ONLY', filter: [], orderBy: [], offset: 0, limit: 1000 })
      assert.ok(!active.items.some((x) => x.experimentId === e.experimentId))
      await store.setExperimentLifecycle(e.experimentId, 'active', 6)
      assert.equal((await store.getRunInfo('d'.repeat(32)))?.lifecycleStage, 'active')
    })

    describe('runs', () => {
      let expId: string
      const ids = ['a1', 'a2', 'a3', 'a4'].map((p) => p.padEnd(32, '0'))
      before(async () => {
        const e = experiment('runs-exp')
        expId = e.experimentId
        await store.createExperiment(e)
        for (const [i, id] of ids.entries()) {
          await store.createRun(runInfo(expId, id, 100 + i), [{ key: 'mlflow.runName', value: `r${i}` }])
          await store.logBatch(id, {
            metrics: [
              { key: 'acc', value: 0.5 + i / 10, timestamp: 10, step: 1 },
              { key: 'acc', value: 0.1, timestamp: 5, step: 0 },
            ],
            params: [{ key: 'model', value: i % 2 ? 'lr' : 'Tree' }],
            tags: [{ key: 'team', value: i < 2 ? 'red' : 'blue' }],
          })
        }
        await store.logBatch(ids[0]!, { metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }], params: [], tags: [] })
      })

      it('should keep the latest metric by step, then timestamp, then value', async () => {
        const run = await store.getRun(ids[3]!)
        assert.deepEqual(run?.data.metrics.find((m) => m.key === 'acc'), { key: 'acc', value: 0.8, timestamp: 10, step: 1 })
        await store.logBatch(ids[3]!, { metrics: [{ key: 'acc', value: 0.01, timestamp: 1, step: 0 }], params: [], tags: [] })
        const after = await store.getRun(ids[3]!)
        assert.equal(after?.data.metrics.find((m) => m.key === 'acc')?.value, 0.8)
      })

      it('should store NaN and infinities and read them back', async () => {
        await store.logBatch(ids[2]!, { metrics: [{ key: 'weird', value: Number.NaN, timestamp: 1, step: 0 }, { key: 'weird', value: Number.POSITIVE_INFINITY, timestamp: 2, step: 1 }], params: [], tags: [] })
        const history = await store.getMetricHistory(ids[2]!, 'weird', { offset: 0, limit: 10 })
        assert.ok(Number.isNaN(history.items[0]!.value))
        assert.equal(history.items[1]!.value, Number.POSITIVE_INFINITY)
      })

      it('should ignore an exactly repeated metric point', async () => {
        const point = { key: 'rep', value: 3, timestamp: 7, step: 2 }
        await store.logBatch(ids[1]!, { metrics: [point], params: [], tags: [] })
        await store.logBatch(ids[1]!, { metrics: [point], params: [], tags: [] })
        assert.equal((await store.getMetricHistory(ids[1]!, 'rep', { offset: 0, limit: 10 })).items.length, 1)
      })

      it('should keep the new points of a re-sent batch that repeats points already logged', async () => {
        const first = { key: 'resent', value: 1, timestamp: 1, step: 0 }
        const next = { key: 'resent', value: 2, timestamp: 2, step: 1 }
        await store.logBatch(ids[1]!, { metrics: [first], params: [], tags: [] })
        await store.logBatch(ids[1]!, { metrics: [first, first, next], params: [], tags: [] })
        const history = await store.getMetricHistory(ids[1]!, 'resent', { offset: 0, limit: 10 })
        assert.deepEqual(history.items, [first, next])
        assert.deepEqual((await store.getRun(ids[1]!))?.data.metrics.find((m) => m.key === 'resent'), next)
      })

      it('should accept the same param value again and refuse a changed one', async () => {
        await store.logBatch(ids[0]!, { metrics: [], params: [{ key: 'model', value: 'Tree' }], tags: [] })
        const error = await rejectsWith(store.logBatch(ids[0]!, { metrics: [], params: [{ key: 'model', value: 'other' }], tags: [] }), 'INVALID_PARAMETER_VALUE')
        assert.match(error.message, /Changing param values is not allowed/)
      })

      it('should write nothing from a batch that fails', async () => {
        await rejectsWith(store.logBatch(ids[0]!, { metrics: [{ key: 'atomic', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'model', value: 'changed' }], tags: [] }), 'INVALID_PARAMETER_VALUE')
        assert.equal((await store.getMetricHistory(ids[0]!, 'atomic', { offset: 0, limit: 10 })).items.length, 0)
      })

      it('should rename the run when the mlflow.runName tag is set', async () => {
        await store.logBatch(ids[1]!, { metrics: [], params: [], tags: [{ key: 'mlflow.runName', value: 'renamed' }] })
        assert.equal((await store.getRunInfo(ids[1]!))?.runName, 'renamed')
      })

      it('should filter runs by metric, param, tag and attribute', async () => {
        const search = (filter: Parameters<TrackingStore['searchRuns']>[0]['filter']) =>
          store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter, orderBy: [], offset: 0, limit: 100 }).then((p) => p.items.map((r) => r.info.runId).sort())
        assert.deepEqual(await search([{ entity: 'metric', key: 'acc', comparator: '>', value: 0.65 }]), [ids[2], ids[3]])
        assert.deepEqual(await search([{ entity: 'param', key: 'model', comparator: '=', value: 'lr' }]), [ids[1], ids[3]])
        assert.deepEqual(await search([{ entity: 'param', key: 'model', comparator: 'LIKE', value: 'tree' }]), [])
        assert.deepEqual(await search([{ entity: 'param', key: 'model', comparator: 'ILIKE', value: 'tree' }]), [ids[0], ids[2]])
        assert.deepEqual(await search([{ entity: 'tag', key: 'team', comparator: '!=', value: 'red' }]), [ids[2], ids[3]])
        assert.deepEqual(await search([{ entity: 'attribute', key: 'run_id', comparator: 'IN', value: [ids[0]!, ids[3]!] }]), [ids[0], ids[3]])
        assert.deepEqual(await search([{ entity: 'attribute', key: 'start_time', comparator: '>=', value: 102 }, { entity: 'tag', key: 'team', comparator: '=', value: 'blue' }]), [ids[2], ids[3]])
        assert.deepEqual(await search([{ entity: 'attribute', key: 'run_name', comparator: 'LIKE', value: 'r_' }]), [ids[0], ids[2], ids[3]])
      })

      it('should order by metric with runs lacking it last, then by start time', async () => {
        const byLoss = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [], orderBy: [{ entity: 'metric', key: 'loss', ascending: true }], offset: 0, limit: 100 })
        assert.deepEqual(byLoss.items.map((r) => r.info.runId), [ids[0], ids[3], ids[2], ids[1]])
        const byAcc = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [{ entity: 'metric', key: 'acc', comparator: '>', value: 0 }], orderBy: [{ entity: 'metric', key: 'acc', ascending: false }], offset: 0, limit: 100 })
        assert.deepEqual(byAcc.items.map((r) => r.info.runId), [ids[3], ids[2], ids[1], ids[0]])
      })

      it('should page through runs with tokens and no overlap', async () => {
        const first = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [], orderBy: [], offset: 0, limit: 3 })
        assert.equal(first.items.length, 3)
        assert.ok(first.nextPageToken)
        const second = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [], orderBy: [], offset: 3, limit: 3 })
        assert.deepEqual(second.items.map((r) => r.info.runId), [ids[0]])
        assert.equal(second.nextPageToken, undefined)
      })

      it('should hide deleted runs unless asked', async () => {
        await store.setRunLifecycle(ids[2]!, 'deleted', 50)
        const active = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [], orderBy: [], offset: 0, limit: 100 })
        assert.ok(!active.items.some((r) => r.info.runId === ids[2]))
        const deleted = await store.searchRuns({ experimentIds: [expId], view: 'DELETED_ONLY', filter: [], orderBy: [], offset: 0, limit: 100 })
        assert.deepEqual(deleted.items.map((r) => r.info.runId), [ids[2]])
        await store.setRunLifecycle(ids[2]!, 'active', null)
      })

      it('should update status, end time and name', async () => {
        await store.updateRunInfo(ids[0]!, { status: 'FINISHED', endTime: 999, runName: 'final' })
        const run = await store.getRun(ids[0]!)
        assert.equal(run?.info.status, 'FINISHED')
        assert.equal(run?.info.endTime, 999)
        assert.equal(run?.info.runName, 'final')
        assert.equal(run?.data.tags.find((t) => t.key === 'mlflow.runName')?.value, 'final')
      })

      it('should record dataset inputs once and filter on them', async () => {
        const input = { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'abc', sourceType: 'local', source: '{}' } }
        await store.logInputs(ids[1]!, expId, [input])
        await store.logInputs(ids[1]!, expId, [input])
        const run = await store.getRun(ids[1]!)
        assert.deepEqual(run?.inputs.datasetInputs, [input])
        const found = await store.searchRuns({ experimentIds: [expId], view: 'ACTIVE_ONLY', filter: [{ entity: 'dataset', key: 'context', comparator: '=', value: 'training' }], orderBy: [], offset: 0, limit: 100 })
        assert.deepEqual(found.items.map((r) => r.info.runId), [ids[1]])
      })
    })

    describe('metric history', () => {
      const runId = 'h'.repeat(32)
      before(async () => {
        await store.createRun(runInfo('0', runId, 1), [])
        for (let start = 0; start < 5000; start += 1000) {
          await store.logBatch(runId, { metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'curve', value: Math.sin(start + i), timestamp: start + i, step: start + i })), params: [], tags: [] })
        }
      })

      it('should page a history in step order', async () => {
        const first = await store.getMetricHistory(runId, 'curve', { offset: 0, limit: 2000 })
        assert.equal(first.items.length, 2000)
        assert.equal(first.items[1999]!.step, 1999)
        assert.ok(first.nextPageToken)
        const last = await store.getMetricHistory(runId, 'curve', { offset: 4000, limit: 2000 })
        assert.equal(last.items.length, 1000)
        assert.equal(last.nextPageToken, undefined)
      })

      it('should sample at most maxResults points including the first and last step', async () => {
        const points = await store.sampleMetricHistory({ runIds: [runId], key: 'curve', maxResults: 100 })
        assert.ok(points.length <= 100 && points.length >= 95, `got ${points.length}`)
        assert.equal(points[0]!.step, 0)
        assert.equal(points.at(-1)!.step, 4999)
        assert.equal(points[0]!.runId, runId)
        const steps = points.map((p) => p.step)
        assert.deepEqual(steps, [...steps].sort((a, b) => a - b))
      })

      it('should sample within a step range and return everything when it is small', async () => {
        const points = await store.sampleMetricHistory({ runIds: [runId], key: 'curve', maxResults: 100, startStep: 10, endStep: 59 })
        assert.deepEqual(points.map((p) => p.step), Array.from({ length: 50 }, (_, i) => 10 + i))
      })
    })
  })
}
