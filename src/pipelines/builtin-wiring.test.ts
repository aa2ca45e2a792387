import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { BuiltinStep } from './builtin-step.js'
import { openPipelineFixture, type PipelineFixture } from './pipeline-fixtures.test-helper.js'

/** A built-in that answers with the arguments it was given, to see what the engine hands it. */
const echoArgs: BuiltinStep = {
  name: 'evaluate',
  validate: () => [],
  run: async (args) => ({ outputs: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(v)])), metrics: {} }),
}

/** How command steps and built-ins meet in one pipeline: paths, and outputs the file does not declare. */
describe('built-in steps in a pipeline', () => {
  let f: PipelineFixture
  before(async () => {
    f = await openPipelineFixture({ builtins: new Map([['evaluate', echoArgs]]) })
  })
  after(() => f.close())

  it("should give a built-in its inputs as paths in the pipeline's folder, and let later steps read its undeclared outputs", async () => {
    const source = `name: wiring
params: {holdout: data/holdout.csv}
steps:
  - name: ev
    uses: evaluate
    inputs: {holdout: "\${{ params.holdout }}"}
    with: {data: "\${{ inputs.holdout }}", target: y}
  - name: after
    run: echo "seen=\${{ steps.ev.outputs.data }}|\${{ steps.ev.outputs.target }}" >> "$PLINTH_OUTPUT"
    outputs: {params: [seen]}
`
    await mkdir(join(f.dir, 'data'), { recursive: true })
    await writeFile(join(f.dir, 'data/holdout.csv'), 'x,y\n1,0\n')
    const result = await f.run(source)
    assert.equal(result.status, 'succeeded', JSON.stringify([...result.steps.values()].flat().map((a) => a.error)))
    assert.equal(result.steps.get('ev')?.[0]?.outputParams.data, join(f.dir, 'data/holdout.csv'))
    assert.equal(result.steps.get('after')?.[0]?.outputParams.seen, `${join(f.dir, 'data/holdout.csv')}|y`)
  })
})
