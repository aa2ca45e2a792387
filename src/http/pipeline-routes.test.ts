import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { type PipelineFixture, openPipelineFixture } from '../pipelines/pipeline-fixtures.test-helper.js'
import { createApp } from './create-app.js'

const API = '/api/plinth/v1'
const YAML = 'name: web\nparams: {n: 1}\nsteps:\n  - {name: a, run: "echo n=${{ params.n }} >> $PLINTH_OUTPUT; echo hello", outputs: {params: [n]}, cache: false}\n  - {name: b, run: "true", depends: [a]}\n'

describe('pipeline routes', () => {
  let f: PipelineFixture
  let app: FastifyInstance
  before(async () => {
    f = await openPipelineFixture()
    app = await createApp(f.services)
  })
  after(async () => {
    await app.close()
    await f.close()
  })

  const json = async (method: 'GET' | 'POST', url: string, payload?: unknown, contentType = 'application/json') => {
    const response = await app.inject({ method, url: `${API}${url}`, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': contentType } }) })
    return { status: response.statusCode, body: String(response.headers['content-type'] ?? '').includes('json') ? response.json() : response.body }
  }

  it('should apply a pipeline sent as YAML or as JSON {source}, and list and get it', async () => {
    const applied = await json('POST', '/pipelines', YAML, 'application/yaml')
    assert.equal(applied.status, 200, JSON.stringify(applied.body))
    assert.equal(applied.body.pipeline.version, 1)
    assert.deepEqual(applied.body.pipeline.steps, ['a', 'b'])
    const again = await json('POST', '/pipelines', { source: `${YAML}# v2\n` })
    assert.equal(again.body.pipeline.version, 2)
    assert.deepEqual((await json('GET', '/pipelines')).body.pipelines.map((p: { name: string }) => p.name), ['web'])
    assert.equal((await json('GET', '/pipelines/web')).body.pipeline.concurrency, 'allow')
  })

  it('should answer 400 with every problem, each with line and column, for a bad file', async () => {
    const bad = await json('POST', '/pipelines', 'name: web\nsteps:\n  - {name: a, run: "x", dependz: [q]}\n  - {name: b, uses: gat}\n', 'text/plain')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE')
    assert.equal(bad.body.issues.length, 2)
    assert.deepEqual([bad.body.issues[0].line, bad.body.issues[1].line], [3, 4])
    assert.match(bad.body.issues[0].message, /Did you mean 'depends'/)
    assert.equal((await json('POST', '/pipelines', { nothing: true })).status, 400)
    assert.equal((await json('POST', '/pipelines', '{not json', 'application/json')).status, 400)
  })

  it('should start a run, show its steps and outputs, and serve a step log', async () => {
    const started = await json('POST', '/pipelines/web/runs', { params: { n: 5 } })
    assert.equal(started.status, 200, JSON.stringify(started.body))
    assert.equal(started.body.started, true)
    await f.services.pipelines.waitFor(started.body.run_id)
    const view = await json('GET', `/pipeline-runs/${started.body.run_id}`)
    assert.equal(view.body.run.status, 'succeeded')
    assert.deepEqual(view.body.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`), ['a:succeeded', 'b:succeeded'])
    assert.deepEqual(view.body.steps[0].attempts[0].output_params, { n: '5' })
    const log = await app.inject({ method: 'GET', url: `${API}/pipeline-runs/${started.body.run_id}/steps/a/log` })
    assert.equal(log.statusCode, 200)
    assert.equal(log.body, 'hello\n')
    const runs = await json('GET', '/pipelines/web/runs?max_results=5')
    assert.equal(runs.body.runs[0].id, started.body.run_id)
  })

  it('should refuse bad run requests with 4xx and a message', async () => {
    assert.equal((await json('POST', '/pipelines/nope/runs', {})).status, 404)
    const unknownParam = await json('POST', '/pipelines/web/runs', { params: { zz: 1 } })
    assert.equal(unknownParam.status, 400)
    assert.match(unknownParam.body.message, /has no param zz/)
    assert.equal((await json('POST', '/pipelines/web/runs', { concurrency: 'sometimes' })).status, 400)
    assert.equal((await json('POST', '/pipelines/web/runs', { extra: 1 })).status, 400)
    assert.equal((await json('GET', '/pipeline-runs/missing')).status, 404)
    assert.equal((await json('GET', '/pipeline-runs/missing/steps/a/log')).status, 404)
  })

  it('should cancel a running run, refuse to cancel it twice and resume it', async () => {
    await json('POST', '/pipelines', 'name: slowweb\nsteps:\n  - {name: s, run: "sleep 30"}\n', 'application/yaml')
    const started = await json('POST', '/pipelines/slowweb/runs', {})
    const cancelled = await json('POST', `/pipeline-runs/${started.body.run_id}/cancel`)
    assert.equal(cancelled.status, 200)
    assert.equal(cancelled.body.run.status, 'cancelled')
    assert.equal((await json('POST', `/pipeline-runs/${started.body.run_id}/cancel`)).status, 409)
    const resumed = await json('POST', `/pipeline-runs/${started.body.run_id}/resume`)
    assert.equal(resumed.body.started, true)
    assert.equal((await json('POST', `/pipeline-runs/${resumed.body.run_id}/cancel`)).status, 200)
  })

  it('should re-run an ended run from a chosen step and answer 400 naming the steps for an unknown one', async () => {
    const started = await json('POST', '/pipelines/web/runs', { params: { n: 3 } })
    await f.services.pipelines.waitFor(started.body.run_id)
    const again = await json('POST', `/pipeline-runs/${started.body.run_id}/resume`, { from_step: 'b' })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    await f.services.pipelines.waitFor(again.body.run_id)
    const view = await json('GET', `/pipeline-runs/${again.body.run_id}`)
    assert.deepEqual(view.body.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`), ['a:cached', 'b:succeeded'])
    assert.equal(view.body.run.resumed_from, started.body.run_id)
    const unknown = await json('POST', `/pipeline-runs/${started.body.run_id}/resume`, { from_step: 'zz' })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body.message, /its steps are: a, b/)
    assert.equal((await json('POST', `/pipeline-runs/${started.body.run_id}/resume`, { from: 'b' })).status, 400)
    assert.equal((await json('POST', `/pipeline-runs/${started.body.run_id}/resume`)).status, 409)
  })
})
