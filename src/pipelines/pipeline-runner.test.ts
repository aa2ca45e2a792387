import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type PipelineFixture, openPipelineFixture, statuses } from './pipeline-fixtures.test-helper.js'

describe('pipeline runner', () => {
  let f: PipelineFixture
  before(async () => {
    f = await openPipelineFixture()
  })
  after(() => f.close())

  it('should run a fan-out and fan-in in dependency order and pass outputs along', async () => {
    const order = join(f.dir, 'order.txt')
    const source = `name: diamond
params: {greeting: hello}
steps:
  - name: a
    run: echo a >> ${order}; echo "word=\${{ params.greeting }}" >> $PLINTH_OUTPUT; printf data > \${{ outputs.blob }}
    outputs: {params: [word], artifacts: [blob]}
  - name: b
    run: for i in $(seq 1 300); do grep -qx c ${order} && break; sleep 0.1; done; echo b >> ${order}
    depends: [a]
  - name: c
    run: echo c >> ${order}; echo "got=$(cat \${{ inputs.blob }})" >> $PLINTH_OUTPUT
    inputs: {blob: "\${{ steps.a.outputs.blob }}"}
    outputs: {params: [got]}
  - name: d
    run: echo "d \${{ steps.a.outputs.word }} \${{ steps.c.outputs.got }}" >> ${order}
    depends: [b, c]
`
    const result = await f.run(source, { greeting: 'hi' })
    assert.equal(result.status, 'succeeded')
    const lines = (await readFile(order, 'utf8')).trim().split('\n')
    assert.equal(lines[0], 'a')
    assert.deepEqual(lines.slice(1, 3).sort(), ['b', 'c'])
    assert.equal(lines[3], 'd hi data')
    // b holds until c has written (up to 30 s), so a runner that made c wait for b shows as 'b' first, whatever the load.
    assert.equal(lines[1], 'c', 'c does not wait for b: they only share a')
    assert.deepEqual(result.steps.get('c')?.[0]?.outputParams, { got: 'data' })
  })

  it('should skip the dependents of a failed step, let other branches finish and fail the run', async () => {
    const result = await f.run(`name: broken
steps:
  - {name: bad, run: "echo oops; exit 4"}
  - {name: after-bad, run: "true", depends: [bad]}
  - {name: later, run: "true", depends: [after-bad]}
  - {name: other, run: "sleep 0.1"}
`)
    assert.equal(result.status, 'failed')
    assert.deepEqual(statuses(result.steps, 'bad'), ['failed'])
    assert.equal(result.steps.get('bad')?.[0]?.exitCode, 4)
    assert.deepEqual(statuses(result.steps, 'after-bad'), ['skipped'])
    assert.deepEqual(statuses(result.steps, 'later'), ['skipped'])
    assert.deepEqual(statuses(result.steps, 'other'), ['succeeded'])
    const run = (await f.services.pipelines.getRun(result.runId)).run
    assert.match(run.error ?? '', /bad failed/)
  })

  it('should retry a failing step with backoff until it succeeds, and stop after the limit', async () => {
    const counter = join(f.dir, 'count')
    const result = await f.run(`name: flaky
steps:
  - name: flaky
    run: n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; test $n -ge 3
    retries: {limit: 2, backoff: 50ms, factor: 2}
    cache: false
  - name: hopeless
    run: exit 1
    retries: 1
`)
    assert.deepEqual(statuses(result.steps, 'flaky'), ['failed', 'failed', 'succeeded'])
    assert.deepEqual(statuses(result.steps, 'hopeless'), ['failed', 'failed'])
    const [first, second, third] = result.steps.get('flaky')!
    assert.ok(second!.startedAt! - first!.endedAt! >= 40, 'the first retry waits about the backoff')
    assert.ok(third!.startedAt! - second!.endedAt! >= 80, 'the second retry waits about backoff * factor')
    assert.equal(result.status, 'failed')
  })

  it('should fail a step that times out, killing it, and retry it under its policy', async () => {
    const result = await f.run('name: slow\nsteps:\n  - {name: slow, run: "sleep 30", timeout: 200ms, retries: 1}\n')
    assert.deepEqual(statuses(result.steps, 'slow'), ['timed_out', 'timed_out'])
    assert.equal(result.status, 'failed')
  })

  it('should cancel a running run and kill its step', async () => {
    const { spec } = await f.services.pipelines.apply('name: long\nsteps:\n  - {name: long, run: "sleep 30"}\n  - {name: next, run: "true", depends: [long]}\n', { baseDir: f.dir })
    const launched = await f.services.pipelines.launch({ pipeline: spec.name, params: {}, trigger: { kind: 'api' } })
    assert.ok(launched.started)
    await new Promise((r) => setTimeout(r, 300))
    const cancelled = await f.services.pipelines.cancel(launched.runId)
    assert.equal(cancelled.status, 'cancelled')
    const result = await f.wait(launched.runId)
    assert.deepEqual(statuses(result.steps, 'long'), ['cancelled'])
    assert.equal(result.steps.get('next'), undefined)
  })

  it('should record the run and each attempt in MLflow with parent links, params and metrics', async () => {
    const result = await f.run('name: tracked\nparams: {lr: 0.5}\nsteps:\n  - {name: train, run: "echo loss=0.125 >> $PLINTH_METRICS; echo lr=${{ params.lr }}", cache: false}\n')
    const run = (await f.services.pipelines.getRun(result.runId)).run
    const parent = await f.services.tracking.getRun(run.trackingRunId!)
    const experiment = await f.services.tracking.getExperiment(parent.info.experimentId)
    assert.equal(experiment.name, 'pipelines/tracked')
    assert.equal(parent.info.status, 'FINISHED')
    assert.ok(parent.data.tags.some((t) => t.key === 'plinth.trigger' && t.value === 'manual'))
    const attempt = result.steps.get('train')![0]!
    const child = await f.services.tracking.getRun(attempt.trackingRunId!)
    assert.ok(child.data.tags.some((t) => t.key === 'mlflow.parentRunId' && t.value === parent.info.runId))
    assert.ok(child.data.params.some((p) => p.key === 'lr' && p.value === '0.5'))
    assert.ok(child.data.metrics.some((m) => m.key === 'loss' && m.value === 0.125))
    assert.match(attempt.logUri ?? '', /logs\/train-1\.log$/)
    const log = await f.services.pipelines.stepLog(result.runId, 'train')
    let text = ''
    for await (const chunk of log.body) text += String(chunk)
    assert.equal(text, 'lr=0.5\n')
  })

  it('should refuse unknown and missing params', async () => {
    await f.services.pipelines.apply('name: needs\nparams: {data: {description: input}}\nsteps:\n  - {name: a, run: "true"}\n')
    await assert.rejects(f.services.pipelines.launch({ pipeline: 'needs', params: {}, trigger: { kind: 'api' } }), /needs param data/)
    await assert.rejects(f.services.pipelines.launch({ pipeline: 'needs', params: { data: 'x', typo: '1' }, trigger: { kind: 'api' } }), /has no param typo/)
  })

  it('should fail a step whose secret is not set, without running it', async () => {
    const result = await f.run('name: secretive\nsteps:\n  - {name: a, run: "true", secrets: {TOKEN: {env: PLINTH_TEST_UNSET_SECRET_X}}}\n')
    assert.deepEqual(statuses(result.steps, 'a'), ['failed'])
    assert.match(result.steps.get('a')![0]!.error ?? '', /PLINTH_TEST_UNSET_SECRET_X, which is not set/)
  })

  it('should resolve a secret from a file and redact it from the log', async () => {
    await writeFile(join(f.dir, 'token.txt'), 'tok-123456\n')
    const result = await f.run('name: filesecret\nsteps:\n  - {name: a, run: "echo token=$TOKEN", secrets: {TOKEN: {file: token.txt}}, cache: false}\n')
    assert.equal(result.status, 'succeeded')
    let text = ''
    for await (const chunk of (await f.services.pipelines.stepLog(result.runId, 'a')).body) text += String(chunk)
    assert.equal(text, 'token=***\n')
  })
})
