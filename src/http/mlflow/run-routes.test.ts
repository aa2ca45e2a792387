import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { mlflowCaller, PREFIXES } from './tracking-routes.test-helper.js'

/**
 * MLflow's tracking REST API as its clients see it: request encodings (int64 as strings, enums
 * by number, GET query arrays) and response shapes (snake_case, int64 as numbers, empty lists
 * and unset fields left out), on both prefixes MLflow serves.
 */
for (const prefix of PREFIXES) {
  describe(`MLflow tracking routes under ${prefix}: runs`, () => {
    let t: TestApp
    const { get, post, ok, okGet, newExperiment, newRun, getRun } = mlflowCaller(prefix, () => t)

    before(async () => {
      t = await createTestApp()
    })
    after(async () => {
      await t.close()
    })

    let experimentId: string
    before(async () => {
      experimentId = await newExperiment('runs')
    })

    it('should create a run in MLflow’s shape, leaving out empty lists', async () => {
      const body = await ok('/runs/create', { experiment_id: experimentId })
      const { info, data, inputs } = body.run
      assert.match(info.run_id, /^[0-9a-f]{32}$/)
      assert.equal(info.run_uuid, info.run_id)
      assert.equal(info.experiment_id, experimentId)
      assert.equal(typeof info.experiment_id, 'string')
      assert.equal(info.status, 'RUNNING')
      assert.equal(info.lifecycle_stage, 'active')
      assert.equal(typeof info.start_time, 'number')
      assert.equal('end_time' in info, false)
      assert.equal(info.artifact_uri, `mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`)
      assert.ok(info.run_name.length > 0)

      assert.equal('metrics' in data, false)
      assert.equal('params' in data, false)
      const tags = Object.fromEntries(data.tags.map((tag: any) => [tag.key, tag.value]))
      assert.equal(tags['mlflow.runName'], info.run_name)
      assert.equal(tags['mlflow.user'], info.user_id)
      assert.deepEqual(inputs, {})
    })

    it('should create a run with run_name, user_id, start_time (as a string) and tags', async () => {
      const body = await ok('/runs/create', {
        experiment_id: experimentId,
        run_name: 'my-run',
        user_id: 'alice',
        start_time: '1700000000000',
        tags: [{ key: 'purpose', value: 'test' }],
      })
      const { info, data } = body.run
      assert.equal(info.run_name, 'my-run')
      assert.equal(info.user_id, 'alice')
      assert.equal(info.start_time, 1700000000000)
      const tags = Object.fromEntries(data.tags.map((tag: any) => [tag.key, tag.value]))
      assert.deepEqual(tags, { purpose: 'test', 'mlflow.runName': 'my-run', 'mlflow.user': 'alice' })
    })

    it('should put a run without experiment_id into the Default experiment', async () => {
      const body = await ok('/runs/create', {})
      assert.equal(body.run.info.experiment_id, '0')
      assert.match(body.run.info.artifact_uri, /^mlflow-artifacts:\/0\//)
    })

    it('should get a run by run_id and by the deprecated run_uuid', async () => {
      const runId = await newRun(experimentId, { run_name: 'fetched' })
      const byId = await okGet(`/runs/get?run_id=${runId}`)
      const byUuid = await okGet(`/runs/get?run_uuid=${runId}`)
      assert.equal(byId.run.info.run_name, 'fetched')
      assert.deepEqual(byUuid, byId)
    })

    it('should finish a run with update (status by name) and return run_info with end_time', async () => {
      const runId = await newRun(experimentId)
      const body = await ok('/runs/update', { run_id: runId, status: 'FINISHED', end_time: 1700000000500 })
      assert.equal(body.run_info.run_id, runId)
      assert.equal(body.run_info.status, 'FINISHED')
      assert.equal(body.run_info.end_time, 1700000000500)
      const { info } = await getRun(runId)
      assert.equal(info.status, 'FINISHED')
      assert.equal(info.end_time, 1700000000500)
    })

    it('should accept the status enum by number (3 = FINISHED, 4 = FAILED) and rename with run_name', async () => {
      const runId = await newRun(experimentId)
      const finished = await ok('/runs/update', { run_uuid: runId, status: 3, end_time: '1700000000900' })
      assert.equal(finished.run_info.status, 'FINISHED')
      assert.equal(finished.run_info.end_time, 1700000000900)
      const failed = await ok('/runs/update', { run_id: runId, status: 4, run_name: 'renamed-run' })
      assert.equal(failed.run_info.status, 'FAILED')
      const run = await getRun(runId)
      assert.equal(run.info.run_name, 'renamed-run')
      assert.ok(run.data.tags.some((tag: any) => tag.key === 'mlflow.runName' && tag.value === 'renamed-run'))
    })

    it('should delete and restore a run, hiding it from default searches while deleted', async () => {
      const runId = await newRun(experimentId)
      const filter = `attributes.run_id = '${runId}'`
      assert.deepEqual(await ok('/runs/delete', { run_id: runId }), {})
      assert.equal((await getRun(runId)).info.lifecycle_stage, 'deleted')
      assert.equal((await ok('/runs/search', { experiment_ids: [experimentId], filter })).runs, undefined)
      const deleted = await ok('/runs/search', { experiment_ids: [experimentId], filter, run_view_type: 'DELETED_ONLY' })
      assert.deepEqual(deleted.runs.map((r: any) => r.info.run_id), [runId])
      const deletedByNumber = await ok('/runs/search', { experiment_ids: [experimentId], filter, run_view_type: 2 })
      assert.equal(deletedByNumber.runs.length, 1)

      assert.deepEqual(await ok('/runs/restore', { run_id: runId }), {})
      assert.equal((await getRun(runId)).info.lifecycle_stage, 'active')
      assert.equal((await ok('/runs/search', { experiment_ids: [experimentId], filter })).runs.length, 1)
    })

    it('should log a metric whose timestamp and step are numeric strings', async () => {
      const runId = await newRun(experimentId)
      assert.deepEqual(await ok('/runs/log-metric', { run_id: runId, key: 'loss', value: 0.25, timestamp: '1700000000000', step: '7' }), {})
      const run = await getRun(runId)
      assert.deepEqual(run.data.metrics, [{ key: 'loss', value: 0.25, timestamp: 1700000000000, step: 7 }])
      const history = await okGet(`/metrics/get-history?run_id=${runId}&metric_key=loss`)
      assert.deepEqual(history.metrics, [{ key: 'loss', value: 0.25, timestamp: 1700000000000, step: 7 }])
    })

    it('should default a metric’s step to 0', async () => {
      const runId = await newRun(experimentId)
      await ok('/runs/log-metric', { run_uuid: runId, key: 'acc', value: 1, timestamp: 5 })
      assert.deepEqual((await getRun(runId)).data.metrics, [{ key: 'acc', value: 1, timestamp: 5, step: 0 }])
    })

    it('should return NaN and ±Infinity metric values as the strings they were sent as', async () => {
      const runId = await newRun(experimentId)
      await ok('/runs/log-metric', { run_id: runId, key: 'nan', value: 'NaN', timestamp: 1 })
      await ok('/runs/log-metric', { run_id: runId, key: 'inf', value: 'Infinity', timestamp: 1 })
      await ok('/runs/log-batch', { run_id: runId, metrics: [{ key: 'neg', value: '-Infinity', timestamp: 1 }] })
      const metrics = Object.fromEntries((await getRun(runId)).data.metrics.map((m: any) => [m.key, m.value]))
      assert.deepEqual(metrics, { nan: 'NaN', inf: 'Infinity', neg: '-Infinity' })
      const history = await okGet(`/metrics/get-history?run_id=${runId}&metric_key=nan`)
      assert.equal(history.metrics[0].value, 'NaN')
    })

    it('should show, for a key logged several times, the value with the greatest step, then timestamp', async () => {
      const runId = await newRun(experimentId)
      await ok('/runs/log-batch', {
        run_id: runId,
        metrics: [
          { key: 'm', value: 1, timestamp: 100, step: 5 },
          { key: 'm', value: 2, timestamp: 50, step: 10 },
          { key: 'm', value: 3, timestamp: 60, step: 10 },
          { key: 'm', value: 4, timestamp: 1000, step: 2 },
        ],
      })
      await ok('/runs/log-metric', { run_id: runId, key: 'm', value: 5, timestamp: 2000, step: 9 })
      assert.deepEqual((await getRun(runId)).data.metrics, [{ key: 'm', value: 3, timestamp: 60, step: 10 }])
      // The latest value also drives search.
      const found = await ok('/runs/search', { experiment_ids: [experimentId], filter: `metrics.m = 3 and attributes.run_id = '${runId}'` })
      assert.equal(found.runs.length, 1)
    })

    it('should log a param with log-parameter, and accept the same value again', async () => {
      const runId = await newRun(experimentId)
      assert.deepEqual(await ok('/runs/log-parameter', { run_id: runId, key: 'alpha', value: '0.5' }), {})
      assert.deepEqual(await ok('/runs/log-parameter', { run_id: runId, key: 'alpha', value: '0.5' }), {})
      assert.deepEqual((await getRun(runId)).data.params, [{ key: 'alpha', value: '0.5' }])
    })

    it('should set, overwrite and delete a run tag', async () => {
      const runId = await newRun(experimentId)
      await ok('/runs/set-tag', { run_id: runId, key: 'note', value: 'one' })
      await ok('/runs/set-tag', { run_uuid: runId, key: 'note', value: 'two' })
      const tagsOf = async () => Object.fromEntries((await getRun(runId)).data.tags.map((tag: any) => [tag.key, tag.value]))
      assert.equal((await tagsOf()).note, 'two')
      assert.deepEqual(await ok('/runs/delete-tag', { run_id: runId, key: 'note' }), {})
      assert.equal('note' in (await tagsOf()), false)
      const again = await post('/runs/delete-tag', { run_id: runId, key: 'note' })
      assert.equal(again.status, 404)
      assert.equal(again.body.error_code, 'RESOURCE_DOES_NOT_EXIST')
    })

    it('should rename a run when mlflow.runName is set as a tag', async () => {
      const runId = await newRun(experimentId)
      await ok('/runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: 'tag-named' })
      assert.equal((await getRun(runId)).info.run_name, 'tag-named')
    })

    it('should log metrics, params and tags together with log-batch', async () => {
      const runId = await newRun(experimentId)
      assert.deepEqual(
        await ok('/runs/log-batch', {
          run_id: runId,
          metrics: [
            { key: 'acc', value: 0.5, timestamp: '1700000000000', step: 0 },
            { key: 'acc', value: 0.75, timestamp: 1700000000001, step: 1 },
            { key: 'loss', value: 2, timestamp: 1700000000000 },
          ],
          params: [
            { key: 'lr', value: '0.01' },
            { key: 'lr', value: '0.01' },
            { key: 'model', value: 'lr' },
          ],
          tags: [{ key: 'phase', value: 'train' }],
        }),
        {},
      )
      const run = await getRun(runId)
      const metrics = [...run.data.metrics].sort((a: any, b: any) => a.key.localeCompare(b.key))
      assert.deepEqual(metrics, [
        { key: 'acc', value: 0.75, timestamp: 1700000000001, step: 1 },
        { key: 'loss', value: 2, timestamp: 1700000000000, step: 0 },
      ])
      const params = [...run.data.params].sort((a: any, b: any) => a.key.localeCompare(b.key))
      assert.deepEqual(params, [
        { key: 'lr', value: '0.01' },
        { key: 'model', value: 'lr' },
      ])
      assert.ok(run.data.tags.some((tag: any) => tag.key === 'phase' && tag.value === 'train'))
      const history = await okGet(`/metrics/get-history?run_id=${runId}&metric_key=acc`)
      assert.deepEqual(history.metrics.map((m: any) => m.value), [0.5, 0.75])
    })

    it('should accept an empty log-batch', async () => {
      const runId = await newRun(experimentId)
      assert.deepEqual(await ok('/runs/log-batch', { run_id: runId }), {})
      assert.deepEqual(await ok('/runs/log-batch', { run_id: runId, metrics: [], params: [], tags: [] }), {})
    })

    it('should record dataset inputs with log-inputs and return them under inputs.dataset_inputs', async () => {
      const runId = await newRun(experimentId)
      const dataset = {
        name: 'iris',
        digest: 'abc123',
        source_type: 'local',
        source: '{"uri": "/data/iris.csv"}',
        schema: '{"mlflow_colspec": []}',
        profile: '{"num_rows": 150}',
      }
      assert.deepEqual(
        await ok('/runs/log-inputs', { run_id: runId, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] }),
        {},
      )
      const { inputs } = await getRun(runId)
      assert.equal(inputs.dataset_inputs.length, 1)
      assert.deepEqual(inputs.dataset_inputs[0].dataset, dataset)
      assert.deepEqual(inputs.dataset_inputs[0].tags, [{ key: 'mlflow.data.context', value: 'training' }])
    })

    describe('search', () => {
      let searchExperiment: string
      const ids: Record<string, string> = {}
      before(async () => {
        searchExperiment = await newExperiment('search')
        const rows: Array<[string, number, string]> = [
          ['r1', 0.9, 'lr'],
          ['r2', 0.7, 'lr'],
          ['r3', 0.8, 'tree'],
          ['r4', 0.1, 'lr'],
        ]
        for (const [name, acc, model] of rows) {
          const runId = await newRun(searchExperiment, { run_name: name })
          await ok('/runs/log-batch', { run_id: runId, metrics: [{ key: 'acc', value: acc, timestamp: 1 }], params: [{ key: 'model', value: model }] })
          ids[name] = runId
        }
      })

      it('should filter on metrics and params and order by a metric', async () => {
        const body = await ok('/runs/search', {
          experiment_ids: [searchExperiment],
          filter: "metrics.acc > 0.5 and params.model = 'lr'",
          order_by: ['metrics.acc DESC'],
        })
        assert.deepEqual(body.runs.map((r: any) => r.info.run_name), ['r1', 'r2'])
        assert.equal(body.next_page_token, undefined)
        const first = body.runs[0]
        assert.deepEqual(first.data.metrics, [{ key: 'acc', value: 0.9, timestamp: 1, step: 0 }])
        assert.deepEqual(first.data.params, [{ key: 'model', value: 'lr' }])
      })

      it('should order ascending and by attribute', async () => {
        const byMetric = await ok('/runs/search', { experiment_ids: [searchExperiment], order_by: ['metrics.acc ASC'] })
        assert.deepEqual(byMetric.runs.map((r: any) => r.info.run_name), ['r4', 'r2', 'r3', 'r1'])
        const byName = await ok('/runs/search', { experiment_ids: [searchExperiment], order_by: ['attributes.run_name DESC'] })
        assert.deepEqual(byName.runs.map((r: any) => r.info.run_name), ['r4', 'r3', 'r2', 'r1'])
      })

      it('should page with max_results and page_token until next_page_token is gone', async () => {
        const names: string[] = []
        let token: string | undefined
        let pages = 0
        do {
          const page = await ok('/runs/search', { experiment_ids: [searchExperiment], order_by: ['metrics.acc DESC'], max_results: 3, page_token: token })
          names.push(...page.runs.map((r: any) => r.info.run_name))
          token = page.next_page_token
          pages += 1
        } while (token !== undefined && pages < 10)
        assert.equal(pages, 2)
        assert.deepEqual(names, ['r1', 'r3', 'r2', 'r4'])
      })

      it('should honour run_view_type ALL and DELETED_ONLY', async () => {
        const doomed = await newRun(searchExperiment, { run_name: 'r5-deleted' })
        await ok('/runs/delete', { run_id: doomed })
        const active = await ok('/runs/search', { experiment_ids: [searchExperiment] })
        assert.equal(active.runs.length, 4)
        const all = await ok('/runs/search', { experiment_ids: [searchExperiment], run_view_type: 'ALL' })
        assert.equal(all.runs.length, 5)
        const deletedOnly = await ok('/runs/search', { experiment_ids: [searchExperiment], run_view_type: 'DELETED_ONLY' })
        assert.deepEqual(deletedOnly.runs.map((r: any) => r.info.run_id), [doomed])
        await ok('/runs/restore', { run_id: doomed })
        await ok('/runs/delete', { run_id: doomed })
      })

      it('should answer {} when nothing matches', async () => {
        const body = await ok('/runs/search', { experiment_ids: [searchExperiment], filter: 'metrics.acc > 100' })
        assert.deepEqual(body, {})
      })

      it('should filter by run_id IN a list', async () => {
        const body = await ok('/runs/search', {
          experiment_ids: [searchExperiment],
          filter: `attributes.run_id IN ('${ids.r1}', '${ids.r3}')`,
          order_by: ['attributes.run_name ASC'],
        })
        assert.deepEqual(body.runs.map((r: any) => r.info.run_name), ['r1', 'r3'])
      })
    })

    describe('metric history', () => {
      let runId: string
      before(async () => {
        runId = await newRun(experimentId)
        const metrics = Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: 10 - step, timestamp: 1700000000000 + step, step }))
        await ok('/runs/log-batch', { run_id: runId, metrics })
      })

      it('should return every point by step without max_results', async () => {
        const body = await okGet(`/metrics/get-history?run_id=${runId}&metric_key=loss`)
        assert.equal(body.metrics.length, 10)
        assert.deepEqual(body.metrics.map((m: any) => m.step), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        assert.deepEqual(body.metrics[3], { key: 'loss', value: 7, timestamp: 1700000000003, step: 3 })
        assert.equal(body.next_page_token, undefined)
      })

      it('should page with max_results and page_token', async () => {
        const steps: number[] = []
        let token: string | undefined
        let pages = 0
        do {
          const query = `run_uuid=${runId}&metric_key=loss&max_results=4${token ? `&page_token=${encodeURIComponent(token)}` : ''}`
          const page = await okGet(`/metrics/get-history?${query}`)
          assert.ok(page.metrics.length <= 4)
          steps.push(...page.metrics.map((m: any) => m.step))
          token = page.next_page_token
          pages += 1
        } while (token !== undefined && pages < 10)
        assert.equal(pages, 3)
        assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      })

      it('should answer {} for a key that was never logged', async () => {
        assert.deepEqual(await okGet(`/metrics/get-history?run_id=${runId}&metric_key=nothing`), {})
      })

      it('should sample several runs with get-history-bulk-interval using run_ids=a&run_ids=b', async () => {
        const other = await newRun(experimentId)
        await ok('/runs/log-batch', { run_id: other, metrics: [0, 1, 2].map((step) => ({ key: 'loss', value: step, timestamp: 1, step })) })
        const body = await okGet(`/metrics/get-history-bulk-interval?run_ids=${runId}&run_ids=${other}&metric_key=loss`)
        const byRun = new Map<string, number[]>()
        for (const m of body.metrics) {
          assert.equal(m.key, 'loss')
          byRun.set(m.run_id, [...(byRun.get(m.run_id) ?? []), m.step])
        }
        assert.deepEqual(byRun.get(runId), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        assert.deepEqual(byRun.get(other), [0, 1, 2])
      })

      it('should accept run_ids[]=a, and honour start_step, end_step and max_results', async () => {
        const bracket = await okGet(`/metrics/get-history-bulk-interval?run_ids[]=${runId}&metric_key=loss`)
        assert.equal(bracket.metrics.length, 10)
        assert.ok(bracket.metrics.every((m: any) => m.run_id === runId))
        const encoded = await okGet(`/metrics/get-history-bulk-interval?run_ids%5B%5D=${runId}&metric_key=loss&start_step=2&end_step=5`)
        assert.deepEqual(encoded.metrics.map((m: any) => m.step), [2, 3, 4, 5])
        const sampled = await okGet(`/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=loss&max_results=3`)
        const steps = sampled.metrics.map((m: any) => m.step)
        assert.ok(steps.length <= 4 && steps.length >= 2, `expected about 3 sampled points, got ${steps}`)
        assert.equal(steps[0], 0)
        assert.equal(steps.at(-1), 9)
      })

      it('should answer 404 from get-history-bulk-interval when one run is unknown', async () => {
        const response = await get(`/metrics/get-history-bulk-interval?run_ids=${runId}&run_ids=${'f'.repeat(32)}&metric_key=loss`)
        assert.equal(response.status, 404)
        assert.equal(response.body.error_code, 'RESOURCE_DOES_NOT_EXIST')
      })
    })
  })
}
