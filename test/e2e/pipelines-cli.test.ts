import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeTempDir, removeTempDir, runCli, sqliteUri, startServer, type CliResult, type PlinthServer } from './plinth-process.test-helper.js'

const PYTHON = process.env.PLINTH_PYTHON ?? '/usr/bin/python3'
const HAVE_PYTHON = existsSync(PYTHON)

type Step = { name: string; status: string; attempts: Array<{ status: string; output_params: Record<string, string>; output_artifacts: Record<string, string>; cached_from: unknown; error: string | null }> }

/** Gone or a zombie: a container's init may never reap the orphans it inherits. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((s) => s.split(') ')[1]?.[0], () => 'gone')
    if (state === 'gone' || state === 'Z') return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/**
 * Three steps of three kinds: Node makes a CSV artifact and an output param, Python (or Node
 * when no Python is installed) reads the artifact and reports a score, a shell step gets both
 * params and writes a report artifact.
 */
function threeSteps(): string {
  const train = HAVE_PYTHON
    ? `${PYTHON} train.py`
    : 'node train.mjs'
  return `name: three-kinds
params: {greeting: hello, scale: "1"}
steps:
  - name: prep
    run: node prep.mjs
    outputs: {artifacts: [data], params: [rows]}
    code: [prep.mjs]
  - name: train
    run: ${train} --scale \${{ params.scale }}
    inputs: {data: "\${{ steps.prep.outputs.data }}"}
    outputs: {params: [score]}
    code: [train.py, train.mjs]
  - name: report
    run: echo "\${{ params.greeting }} rows=\${{ steps.prep.outputs.rows }} score=\${{ steps.train.outputs.score }}" | tee \${{ outputs.report }}
    outputs: {artifacts: [report]}
`
}

const PREP = `import { writeFileSync, appendFileSync } from 'node:fs'
writeFileSync(process.env.PLINTH_OUTPUT_DATA, 'x\\n1\\n2\\n3\\n')
appendFileSync(process.env.PLINTH_OUTPUT, 'rows=3\\n')
console.log('prep wrote 3 rows')
`
const TRAIN_PY = `import os, sys
scale = float(sys.argv[sys.argv.index('--scale') + 1])
values = [float(v) for v in open(os.environ['PLINTH_INPUT_DATA']).read().split()[1:]]
with open(os.environ['PLINTH_OUTPUT'], 'a') as out:
    out.write(f"score={sum(values) * scale:g}\\n")
print('python trained', len(values))
`
const TRAIN_MJS = `import { readFileSync, appendFileSync } from 'node:fs'
const scale = Number(process.argv[process.argv.indexOf('--scale') + 1])
const values = readFileSync(process.env.PLINTH_INPUT_DATA, 'utf8').split('\\n').slice(1).filter(Boolean).map(Number)
appendFileSync(process.env.PLINTH_OUTPUT, 'score=' + values.reduce((a, b) => a + b, 0) * scale + '\\n')
`

describe('plinth pipelines CLI end to end', () => {
  let dir: string
  let store: string
  let file: string
  // CLI commands take the artifact store from the environment (the server takes a flag).
  const cli = (...args: string[]) => runCli([...args, '--backend-store-uri', store], { cwd: dir, env: { PLINTH_ARTIFACTS_DESTINATION: join(dir, 'artifacts') } })
  const json = (r: CliResult) => JSON.parse(r.stdout)

  before(async (t) => {
    dir = await makeTempDir('pipelines-cli')
    store = sqliteUri(join(dir, 'plinth.db'))
    file = join(dir, 'three.yaml')
    if (!HAVE_PYTHON) (t as unknown as { diagnostic(m: string): void }).diagnostic(`no Python at ${PYTHON}: the train step runs with Node instead`)
    await writeFile(join(dir, 'prep.mjs'), PREP)
    await writeFile(join(dir, 'train.py'), TRAIN_PY)
    await writeFile(join(dir, 'train.mjs'), TRAIN_MJS)
    await writeFile(file, threeSteps())
  })
  after(() => removeTempDir(dir))

  it('should reject a bad file with exit 2 and every problem at file:line:column on stderr', async () => {
    const bad = join(dir, 'bad.yaml')
    await writeFile(bad, 'name: bad\nsteps:\n  - name: a\n    run: "true"\n    dependz: [b]\n  - name: b\n    depends: [nope]\n    run: "true"\n')
    const result = await runCli(['pipelines', 'validate', bad])
    assert.equal(result.code, 2, result.stderr)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:5: .*dependz.*depends`))
    assert.match(result.stderr, /bad\.yaml:7:\d+: .*nope/)
    assert.equal((await runCli(['pipelines', 'validate', file])).code, 0)
  })

  let firstRunId: string
  it('should run Node, Python and shell steps passing an artifact and output params along, with --param and --json', async () => {
    const result = await cli('pipelines', 'run', file, '--param', 'greeting=bonjour', '--param', 'scale=2', '--json')
    assert.equal(result.code, 0, result.stderr)
    const view = json(result) as { run: { id: string; status: string; params: Record<string, string>; tracking_run_id: string }; steps: Step[] }
    assert.equal(view.run.status, 'succeeded')
    assert.deepEqual(view.run.params, { greeting: 'bonjour', scale: '2' })
    assert.match(view.run.tracking_run_id, /^[0-9a-f]{32}$/)
    assert.deepEqual(view.steps.map((s) => [s.name, s.status]), [['prep', 'succeeded'], ['train', 'succeeded'], ['report', 'succeeded']])
    const [prep, train, report] = view.steps.map((s) => s.attempts[0]!)
    assert.equal(prep!.output_params.rows, '3')
    assert.match(prep!.output_artifacts.data!, /^mlflow-artifacts:\/.+\/outputs\/data$/)
    assert.equal(train!.output_params.score, '12')
    assert.match(report!.output_artifacts.report!, /outputs\/report$/)
    firstRunId = view.run.id

    const logs = await cli('pipelines', 'logs', firstRunId, 'report')
    assert.equal(logs.code, 0, logs.stderr)
    assert.equal(logs.stdout, 'bonjour rows=3 score=12\n')
    if (HAVE_PYTHON) assert.match((await cli('pipelines', 'logs', firstRunId, 'train')).stdout, /python trained 3/)
  })

  it('should serve a second run with the same params from the cache and show it', async () => {
    const again = await cli('pipelines', 'run', file, '--param', 'greeting=bonjour', '--param', 'scale=2', '--json')
    assert.equal(again.code, 0, again.stderr)
    const view = json(again) as { run: { id: string }; steps: Step[] }
    for (const step of view.steps) {
      assert.equal(step.status, 'cached', `${step.name} was not cached`)
      assert.equal((step.attempts[0]!.cached_from as { run_id: string }).run_id, firstRunId)
    }
    const other = json(await cli('pipelines', 'run', file, '--param', 'greeting=bonjour', '--param', 'scale=3', '--json')) as { steps: Step[] }
    assert.deepEqual(other.steps.map((s) => s.status), ['cached', 'succeeded', 'succeeded'], 'a changed param re-runs the steps that use it and what follows')
    assert.equal(other.steps[1]!.attempts[0]!.output_params.score, '18')

    const shown = await cli('pipelines', 'show', view.run.id)
    assert.equal(shown.code, 0, shown.stderr)
    assert.match(shown.stdout, new RegExp(`Run ${view.run.id} of three-kinds v1: succeeded`))
    assert.match(shown.stdout, /report\s+1\s+cached/)
    const shownJson = json(await cli('pipelines', 'show', view.run.id, '--json')) as { run: { id: string }; steps: Step[] }
    assert.equal(shownJson.run.id, view.run.id)
    assert.deepEqual(shownJson.steps.map((s) => s.name), ['prep', 'train', 'report'])
  })

  it('should exit 1 on a failing step, and resume after the cause is fixed, re-using what succeeded', async () => {
    const flaky = join(dir, 'flaky.yaml')
    await writeFile(flaky, `name: needs-flag
steps:
  - {name: first, run: "echo first >> ran.txt"}
  - {name: check, run: "test -f ok.flag || { echo 'no ok.flag' >&2; exit 7; }", depends: [first], cache: false}
  - {name: last, run: "echo last >> ran.txt", depends: [check]}
`)
    const failed = await cli('pipelines', 'run', flaky, '--json')
    assert.equal(failed.code, 1, failed.stderr)
    const view = json(failed) as { run: { id: string; status: string; error: string }; steps: Step[] }
    assert.equal(view.run.status, 'failed')
    assert.match(view.run.error, /check failed/)
    assert.deepEqual(view.steps.map((s) => s.status), ['succeeded', 'failed', 'skipped'])
    assert.match((await cli('pipelines', 'logs', view.run.id, 'check')).stdout, /no ok\.flag/)

    await writeFile(join(dir, 'ok.flag'), '')
    const resumed = await cli('pipelines', 'resume', view.run.id, '--json')
    assert.equal(resumed.code, 0, resumed.stderr)
    const resumedRun = json(resumed) as { run_id: string; status: string }
    assert.equal(resumedRun.status, 'succeeded')
    const shown = json(await cli('pipelines', 'show', resumedRun.run_id, '--json')) as { run: { resumed_from: string }; steps: Step[] }
    assert.equal(shown.run.resumed_from, view.run.id)
    assert.deepEqual(shown.steps.map((s) => s.status), ['cached', 'succeeded', 'succeeded'])
    assert.equal(await readFile(join(dir, 'ran.txt'), 'utf8'), 'first\nlast\n', 'first ran once, last once')
  })

  it('should kill the whole process tree of a step that times out', async () => {
    const slow = join(dir, 'slow.yaml')
    const pidFile = join(dir, 'bg.pid')
    await writeFile(slow, `name: slow
steps:
  - {name: sleepy, run: "sleep 100 & echo $! > ${pidFile}; sleep 100", timeout: 1s, cache: false}
`)
    const result = await cli('pipelines', 'run', slow, '--json')
    assert.equal(result.code, 1, result.stderr)
    const view = json(result) as { steps: Step[] }
    assert.equal(view.steps[0]!.status, 'timed_out')
    const pid = Number((await readFile(pidFile, 'utf8')).trim())
    assert.equal(await gone(pid), true, `background sleep ${pid} outlived the timeout`)
  })

  describe('against a running server', () => {
    let server: PlinthServer
    before(async () => {
      server = await startServer(['--port', '0', '--log-level', 'warn', '--backend-store-uri', sqliteUri(join(dir, 'server.db')), '--artifacts-destination', join(dir, 'server-artifacts')], { cwd: dir })
    })
    after(() => server?.stop())

    it('should run the pipeline on the server with --tracking-uri and read it back', async () => {
      const result = await runCli(['pipelines', 'run', file, '--param', 'scale=1', '--tracking-uri', server.url, '--wait', '--json'], { cwd: dir })
      assert.equal(result.code, 0, `${result.stderr}\n${server.output()}`)
      const view = json(result) as { run: { id: string; status: string }; steps: Step[] }
      assert.equal(view.run.status, 'succeeded')
      assert.deepEqual(view.steps.map((s) => s.status), ['succeeded', 'succeeded', 'succeeded'])
      assert.equal(view.steps[1]!.attempts[0]!.output_params.score, '6')
      const started = await runCli(['pipelines', 'run', 'three-kinds', '--tracking-uri', server.url, '--json'], { cwd: dir })
      assert.equal(started.code, 0, started.stderr)
      const launched = json(started) as { started: boolean; run_id: string }
      assert.equal(launched.started, true)
      assert.match(launched.run_id, /\S/)
    })
  })
})
