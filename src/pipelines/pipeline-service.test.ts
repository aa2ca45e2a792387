import assert from 'node:assert/strict'
import { hostname } from 'node:os'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SqlPipelineStore } from '../storage/sql/sql-pipeline-store.js'
import { type PipelineFixture, openPipelineFixture, statuses } from './pipeline-fixtures.test-helper.js'
import { blankAttempt } from './run-execution.js'

describe('pipeline service', () => {
  let f: PipelineFixture
  before(async () => {
    f = await openPipelineFixture()
  })
  after(() => f.close())

  it('should resume a failed run from the failed step, re-using succeeded steps', async () => {
    const flag = join(f.dir, 'fixed')
    const source = `name: resumable
steps:
  - {name: prep, run: "echo prep >> ${join(f.dir, 'prep.log')}; echo v=1 >> $PLINTH_OUTPUT", outputs: {params: [v]}, cache: false}
  - {name: train, run: "test -f ${flag} && echo got=\${{ steps.prep.outputs.v }} >> $PLINTH_OUTPUT", outputs: {params: [got]}, cache: false}
`
    const failed = await f.run(source)
    assert.equal(failed.status, 'failed')
    await writeFile(flag, '')
    const resumed = await f.services.pipelines.resume(failed.runId)
    assert.ok(resumed.started)
    const result = await f.wait(resumed.runId)
    assert.equal(result.status, 'succeeded')
    assert.deepEqual(statuses(result.steps, 'prep'), ['cached'])
    assert.deepEqual(result.steps.get('prep')![0]!.cachedFrom, { runId: failed.runId, step: 'prep', attempt: 1 })
    assert.deepEqual(result.steps.get('train')![0]!.outputParams, { got: '1' })
    assert.equal((await f.services.pipelines.getRun(resumed.runId)).run.resumedFrom, failed.runId)
    const { readFile } = await import('node:fs/promises')
    assert.equal((await readFile(join(f.dir, 'prep.log'), 'utf8')).trim().split('\n').length, 1, 'prep ran once')
    await assert.rejects(f.services.pipelines.resume(resumed.runId), /only a failed or cancelled run/)
  })

  it('should re-run from a chosen step: it and its downstream run again past the cache, the rest are re-used', async () => {
    const ran = join(f.dir, 'from-step.log')
    const step = (name: string, extra = '') => `  - {name: ${name}, run: "echo ${name} >> ${ran}; echo ${name}=\${PLINTH_PIPELINE_RUN_ID} >> $PLINTH_OUTPUT", outputs: {params: [${name}]}${extra}}`
    const source = ['name: from-step', 'steps:', step('prep'), step('train', ', depends: [prep]'), step('report', ', depends: [train]'), step('side')].join('\n')
    const first = await f.run(`${source}\n`)
    assert.equal(first.status, 'succeeded')
    const again = await f.services.pipelines.resume(first.runId, { kind: 'manual' }, { fromStep: 'train' })
    assert.ok(again.started)
    const result = await f.wait(again.runId)
    assert.equal(result.status, 'succeeded')
    assert.deepEqual(['prep', 'train', 'report', 'side'].map((s) => statuses(result.steps, s)[0]), ['cached', 'succeeded', 'succeeded', 'cached'])
    assert.equal(result.steps.get('train')![0]!.outputParams.train, again.runId, 'train ran in the new run, not from the cache')
    assert.equal(result.steps.get('prep')![0]!.outputParams.prep, first.runId)
    const { readFile } = await import('node:fs/promises')
    assert.deepEqual((await readFile(ran, 'utf8')).trim().split('\n').sort(), ['prep', 'report', 'report', 'side', 'train', 'train'])
    const view = await f.services.pipelines.getRun(again.runId)
    assert.deepEqual(view.run.trigger.payload, { resumedFrom: first.runId, fromStep: 'train' })
    await assert.rejects(f.services.pipelines.resume(first.runId, { kind: 'manual' }, { fromStep: 'nope' }), /has no step 'nope'; its steps are: prep, train, report, side/)
    await assert.rejects(f.services.pipelines.resume(first.runId), /only a failed or cancelled run/)
  })

  it('should refuse a second run under forbid, replace the active one under replace, and start each event once', async () => {
    await f.services.pipelines.apply('name: single\nconcurrency: forbid\nsteps:\n  - {name: a, run: "sleep 30"}\n', { baseDir: f.dir })
    const first = await f.services.pipelines.launch({ pipeline: 'single', params: {}, trigger: { kind: 'cron', eventId: 'tick-1' } })
    assert.ok(first.started)
    const second = await f.services.pipelines.launch({ pipeline: 'single', params: {}, trigger: { kind: 'cron', eventId: 'tick-2' } })
    assert.deepEqual(second, { started: false, reason: 'forbidden', activeRunId: first.runId })
    const dup = await f.services.pipelines.launch({ pipeline: 'single', params: {}, trigger: { kind: 'cron', eventId: 'tick-1' }, concurrency: 'allow' })
    assert.deepEqual(dup, { started: false, reason: 'duplicate', activeRunId: first.runId })
    const replacing = await f.services.pipelines.launch({ pipeline: 'single', params: {}, trigger: { kind: 'api' }, concurrency: 'replace' })
    assert.ok(replacing.started)
    assert.equal(replacing.replaced, first.runId)
    assert.equal((await f.services.pipelines.getRun(first.runId)).run.status, 'cancelled')
    const allowed = await f.services.pipelines.launch({ pipeline: 'single', params: {}, trigger: { kind: 'api' }, concurrency: 'allow' })
    assert.ok(allowed.started)
    await f.services.pipelines.cancel(replacing.runId)
    await f.services.pipelines.cancel(allowed.runId)
  })

  it('should take over a run left running by a process that died, re-running the step in flight', async () => {
    const { pipeline } = await f.services.pipelines.apply('name: orphan\nsteps:\n  - {name: a, run: "echo a=1 >> $PLINTH_OUTPUT", outputs: {params: [a]}, cache: false}\n  - {name: b, run: "echo b=${{ steps.a.outputs.a }} >> $PLINTH_OUTPUT", outputs: {params: [b]}, cache: false}\n', { baseDir: f.dir })
    const store = new SqlPipelineStore(f.services.database)
    const created = await store.createRun({ id: 'orphan-run', pipeline: 'orphan', pipelineVersion: pipeline.version, source: pipeline.source, baseDir: f.dir, params: {}, trigger: { kind: 'api' }, createdAt: Date.now(), resumedFrom: null }, false)
    assert.ok(created.created)
    const dead = `${hostname()}:2147483646:dead`
    assert.equal(await store.claimRun('orphan-run', dead, Date.now()), true)
    await store.insertAttempt(blankAttempt('orphan-run', 'a', 1, { status: 'succeeded', outputParams: { a: '7' }, startedAt: 1, endedAt: 2 }))
    await store.insertAttempt(blankAttempt('orphan-run', 'b', 1, { status: 'running', startedAt: 3 }))
    assert.deepEqual(await f.services.pipelines.recover(), ['orphan-run'])
    const result = await f.wait('orphan-run')
    assert.equal(result.status, 'succeeded')
    assert.deepEqual(statuses(result.steps, 'a'), ['succeeded'], 'finished steps are kept')
    assert.deepEqual(statuses(result.steps, 'b'), ['lost', 'succeeded'])
    assert.deepEqual(result.steps.get('b')![1]!.outputParams, { b: '7' })
  })

  it('should refuse an invalid file on apply with every problem and its line', async () => {
    await assert.rejects(f.services.pipelines.apply('name: x\nsteps:\n  - {name: a, uses: nope}\n  - {name: b}\n', { file: 'x.yaml' }), (error: Error & { details?: { issues: unknown[] } }) => {
      assert.match(error.message, /x\.yaml:3:\d+: Unknown built-in step 'nope'/)
      assert.match(error.message, /x\.yaml:4:5:/)
      return true
    })
    await rm(join(f.dir, 'fixed'), { force: true })
  })
})
