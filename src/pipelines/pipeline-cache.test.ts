import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { proxiedPath } from '../artifacts/artifact-service.js'
import { cacheKey, canonicalJson } from './cache-key.js'
import { type PipelineFixture, openPipelineFixture, statuses } from './pipeline-fixtures.test-helper.js'

const PIPE = (extra = '') => `name: cached
params: {n: 1}
steps:
  - name: make
    run: echo "\${{ params.n }}" > \${{ outputs.out }}; cat train.py >> \${{ outputs.out }}
    outputs: {artifacts: [out]}
    code: [train.py]
  - name: use
    run: cat \${{ inputs.x }}
    inputs: {x: "\${{ steps.make.outputs.out }}"}${extra}
`

describe('step caching', () => {
  let f: PipelineFixture
  before(async () => {
    f = await openPipelineFixture()
    await writeFile(join(f.dir, 'train.py'), 'print(1)\n')
  })
  after(() => f.close())

  it('should hash canonical JSON so key order does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}')
    const parts = { action: { shell: 'x' }, params: { a: '1', b: '2' }, env: {}, inputs: {}, code: {}, outputs: { artifacts: [], params: [] } }
    assert.equal(cacheKey(parts), cacheKey({ ...parts, params: { b: '2', a: '1' } }))
    assert.notEqual(cacheKey(parts), cacheKey({ ...parts, env: { X: '1' } }))
  })

  it('should serve an unchanged step from cache, naming the source attempt', async () => {
    const first = await f.run(PIPE())
    assert.deepEqual(statuses(first.steps, 'make'), ['succeeded'])
    const second = await f.run(PIPE())
    const make = second.steps.get('make')![0]!
    assert.equal(make.status, 'cached')
    assert.deepEqual(make.cachedFrom, { runId: first.runId, step: 'make', attempt: 1 })
    assert.deepEqual(statuses(second.steps, 'use'), ['cached'], 'same input content, same command')
  })

  it('should miss when a param the step uses changes', async () => {
    const run = await f.run(PIPE(), { n: '2' })
    assert.deepEqual(statuses(run.steps, 'make'), ['succeeded'])
  })

  it('should miss when a declared code file changes', async () => {
    await writeFile(join(f.dir, 'train.py'), 'print(2)\n')
    const run = await f.run(PIPE())
    assert.deepEqual(statuses(run.steps, 'make'), ['succeeded'])
    assert.deepEqual(statuses(run.steps, 'use'), ['succeeded'], 'its input content changed with it')
  })

  it('should miss when a cached output artifact was deleted from the store', async () => {
    const before = await f.run(PIPE())
    const source = before.steps.get('make')![0]!
    const origin = source.cachedFrom ?? source
    const attempt = await f.services.pipelines.getRun(origin.runId).then((v) => v.attempts.find((a) => a.step === 'make' && a.attempt === origin.attempt)!)
    await rm(join(f.dir, 'artifacts', proxiedPath(attempt.outputArtifacts.out!)), { force: true })
    const run = await f.run(PIPE())
    assert.deepEqual(statuses(run.steps, 'make'), ['succeeded'])
  })

  it('should never serve cache: false or side-effecting steps from cache', async () => {
    const source = 'name: effects\nsteps:\n  - {name: nocache, run: "true", cache: false}\n  - {name: deploy, run: "true", side-effects: true}\n'
    await f.run(source)
    const again = await f.run(source)
    assert.deepEqual(statuses(again.steps, 'nocache'), ['succeeded'])
    assert.deepEqual(statuses(again.steps, 'deploy'), ['succeeded'])
    assert.equal(again.steps.get('deploy')![0]!.cacheKey, null)
  })
})
