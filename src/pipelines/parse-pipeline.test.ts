import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatIssue, parsePipeline, parsePipelineOrThrow, type SpecIssue } from './parse-pipeline.js'

const GOOD = `name: churn-retrain
params: {data: {default: data/train.csv}, lr: 0.1}
concurrency: forbid
env: {PYTHONUNBUFFERED: "1"}
triggers: [{cron: "0 2 * * *"}, {alert: {monitor: churn-drift}, params: {lr: "\${{ trigger.monitorName }}"}}, {data: {prefix: "s3://b/data/"}}, {webhook: {}}]
steps:
  - name: train
    run: python3 train.py --data \${{ inputs.data }} --out \${{ outputs.model }} --lr \${{ params.lr }}
    inputs: {data: "\${{ params.data }}"}
    outputs: {artifacts: [model], params: [f1]}
    retries: {limit: 2, backoff: 1s, factor: 2, max: 30s}
    timeout: 10m
    code: [train.py, lib/*.py]
    secrets: {API_KEY: {env: PLINTH_SECRET_API_KEY}}
  - name: gate
    uses: gate
    with: {condition: "challenger.f1 >= champion.f1 + 0.01", f1: "\${{ steps.train.outputs.f1 }}"}
    depends: [train]
  - name: register
    uses: register
    with: {model: churn}
    depends: [gate]
`

function issuesOf(source: string): SpecIssue[] {
  const result = parsePipeline(source, { file: 'p.yaml' })
  assert.equal(result.ok, false, 'expected the file to be refused')
  return result.ok ? [] : [...result.issues]
}

function find(issues: SpecIssue[], text: string): SpecIssue {
  const issue = issues.find((i) => i.message.includes(text))
  assert.ok(issue, `no issue mentions '${text}': ${issues.map(formatIssue).join(' | ')}`)
  return issue
}

describe('parsePipeline', () => {
  it('should turn the documented example into a typed spec', () => {
    const spec = parsePipelineOrThrow(GOOD)
    assert.equal(spec.name, 'churn-retrain')
    assert.equal(spec.concurrency, 'forbid')
    assert.deepEqual(spec.params.lr, { default: 0.1, required: false })
    assert.deepEqual(spec.params.data, { default: 'data/train.csv', required: false })
    const train = spec.steps[0]!
    assert.deepEqual(train.retry, { limit: 2, backoffMs: 1000, factor: 2, maxBackoffMs: 30_000 })
    assert.equal(train.timeoutMs, 600_000)
    assert.deepEqual(train.secrets, { API_KEY: { fromEnv: 'PLINTH_SECRET_API_KEY' } })
    assert.deepEqual(train.outputs, { artifacts: ['model'], params: ['f1'] })
    assert.equal(train.action.kind, 'command')
    assert.equal(spec.steps[1]!.sideEffects, false)
    assert.equal(spec.steps[2]!.sideEffects, true, 'register changes the registry, so it is side-effecting')
    assert.deepEqual(spec.triggers.map((t) => t.kind), ['cron', 'alert', 'data', 'webhook'])
    assert.deepEqual(spec.steps[0]!.location, { line: 7, column: 5 })
  })

  it('should refuse collections nested thousands deep with an issue instead of crashing the process', () => {
    for (const source of ['['.repeat(20_000), `name: x\nsteps: ${'{a: '.repeat(5000)}`]) {
      const result = parsePipeline(source)
      assert.equal(result.ok, false)
      if (!result.ok) assert.match(result.issues[0]!.message, /nest more than 64 deep/)
    }
    const quoted = parsePipeline(`name: q\nsteps:\n  - name: a\n    run: echo "${'['.repeat(100)}"  # ${'{'.repeat(100)}\n`)
    assert.ok(quoted.ok || !quoted.issues.some((i) => /nest more than/.test(i.message)), 'brackets in quotes and comments do not count')
  })

  it('should accept the short retries form and argv commands', () => {
    const spec = parsePipelineOrThrow('name: p\nsteps:\n  - {name: a, run: [node, -e, "1"], retries: 3}\n')
    assert.equal(spec.steps[0]!.retry.limit, 3)
    assert.deepEqual(spec.steps[0]!.action, { kind: 'command', argv: ['node', '-e', '1'] })
  })

  it('should report an unknown key with its line, column and a did-you-mean', () => {
    const issue = find(issuesOf('name: p\nsteps:\n  - name: a\n    run: "true"\n    dependz: [b]\n'), "Unknown key 'dependz'")
    assert.equal(issue.line, 5)
    assert.equal(issue.column, 5)
    assert.match(issue.message, /Did you mean 'depends'/)
    assert.equal(issue.file, 'p.yaml')
  })

  it('should report every problem at once, not only the first', () => {
    const source = `name: p
params: {lr: 0.1}
steps:
  - name: a
    run: echo \${{ params.nope }}
    timeout: 10 minutes
  - name: b
    depends: [zz]
  - name: a
    uses: gatee
  - name: c
    run: echo \${{ steps.a.outputs.model }}
    retries: -1
`
    const issues = issuesOf(source)
    assert.equal(find(issues, "'params.nope' is not declared").line, 5)
    assert.equal(find(issues, 'timeout must be a duration').line, 6)
    assert.equal(find(issues, "step 'b' does nothing".replace("step 'b'", "The step 'b'")).line, 7)
    assert.equal(find(issues, "depends on 'zz'").line, 8)
    assert.equal(find(issues, "Step name 'a' is used twice").line, 9)
    assert.match(find(issues, "Unknown built-in step 'gatee'").message, /Did you mean 'gate'/)
    find(issues, "declares no output 'model'")
    find(issues, 'retries must be a whole number')
    assert.ok(issues.length >= 8)
  })

  it('should name the cycle when steps wait for each other', () => {
    const issue = find(issuesOf('name: p\nsteps:\n  - {name: a, run: "true", depends: [c]}\n  - {name: b, run: "true", depends: [a]}\n  - {name: c, run: "true", depends: [b]}\n'), 'cycle')
    assert.match(issue.message, /a -> c -> b -> a/)
  })

  it('should find cycles made by output references, not only depends', () => {
    const source = 'name: p\nsteps:\n  - {name: a, run: "echo ${{ steps.b.outputs.x }}", outputs: {params: [y]}}\n  - {name: b, run: "echo ${{ steps.a.outputs.y }}", outputs: {params: [x]}}\n'
    find(issuesOf(source), 'a -> b -> a')
  })

  it('should refuse a bad cron, an unknown concurrency and trigger params that are not declared', () => {
    const issues = issuesOf('name: p\nconcurrency: sometimes\ntriggers:\n  - {cron: "61 * * * *"}\n  - {webhook: {}, params: {reason: x}}\nsteps:\n  - {name: a, run: "true"}\n')
    assert.equal(find(issues, "Cron schedule '61 * * * *'").line, 4)
    assert.equal(find(issues, 'concurrency must be one of').line, 2)
    assert.equal(find(issues, "Trigger param 'reason'").line, 5)
  })

  it('should refuse a step with no run, uses or image and a missing name', () => {
    const issues = issuesOf('steps:\n  - name: a\n')
    find(issues, "has no 'name'")
    find(issues, 'does nothing')
  })

  it('should report YAML syntax errors and duplicate keys with positions', () => {
    const dup = issuesOf('name: p\nname: q\nsteps: []\n')
    assert.equal(dup[0]!.line, 2)
    assert.match(dup[0]!.message, /once/)
    const bad = issuesOf('name: p\nsteps:\n  - name: a\n   run: x\n')
    assert.match(bad[0]!.message, /YAML syntax/)
  })

  it('should refuse inputs and outputs expressions that the step does not declare', () => {
    const issues = issuesOf('name: p\nsteps:\n  - {name: a, run: "cat ${{ inputs.x }} > ${{ outputs.y }}"}\n')
    find(issues, "has no input 'x'")
    find(issues, "declares no output artifact 'y'")
  })

  it('should throw INVALID_PARAMETER_VALUE listing every issue in details', () => {
    assert.throws(() => parsePipelineOrThrow('name: p\nsteps:\n  - {name: a}\n  - {name: b}\n', { file: 'x.yaml' }), (error: Error & { code?: string; details?: { issues: unknown[] } }) => {
      assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
      assert.equal(error.details?.issues.length, 2)
      assert.match(error.message, /x\.yaml:3:5/)
      return true
    })
  })
})
