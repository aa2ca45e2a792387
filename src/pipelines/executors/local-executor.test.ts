import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { LocalArtifactStore } from '../../artifacts/index.js'
import type { StepTask } from '../step-executor.js'
import { containerCommand } from './container-command.js'
import { LocalExecutor } from './local-executor.js'
import { uploadArtifact } from './step-artifacts.js'

function task(extra: Partial<StepTask>): StepTask {
  return { pipelineRunId: 'run1', pipeline: 'p', step: 's', attempt: 1, attemptId: 'run1/s/1', trackingRunId: 'tr1', command: { shell: 'true' }, env: {}, secretEnv: [], inputs: {}, outputs: { artifacts: [], params: [] }, ...extra }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((s) => s.split(') ')[1]?.[0], () => 'gone')
    if (state === 'gone' || state === 'Z') return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

describe('LocalExecutor', () => {
  let dir: string
  let store: LocalArtifactStore
  let executor: LocalExecutor
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-exec-'))
    store = new LocalArtifactStore(join(dir, 'store'))
    await store.init()
    executor = new LocalExecutor({ artifacts: store, baseDir: dir, killGraceMs: 300 })
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('should pass inputs, collect output params, metrics and artifacts, and keep the log', async () => {
    const input = await uploadArtifact(store, await writeFile(join(dir, 'in.txt'), 'hello').then(() => join(dir, 'in.txt')), 'seed/in.txt')
    const shell = 'cat ${{ inputs.data }} > ${{ outputs.model }}; echo "f1=0.91" >> $PLINTH_OUTPUT; echo "loss=0.25" >> $PLINTH_METRICS; echo "said $GREETING"'
    const result = await executor.execute(task({ command: { shell }, env: { GREETING: 'hi' }, inputs: { data: input }, outputs: { artifacts: ['model'], params: ['f1'] }, artifactUri: 'mlflow-artifacts:/1/tr1/artifacts' }), new AbortController().signal)
    assert.equal(result.outcome, 'succeeded', result.error)
    assert.deepEqual(result.outputParams, { f1: '0.91' })
    assert.deepEqual(result.metrics, { loss: 0.25 })
    assert.equal(result.outputArtifacts.model, 'mlflow-artifacts:/1/tr1/artifacts/outputs/model')
    assert.equal(await readFile(join(dir, 'store/1/tr1/artifacts/outputs/model'), 'utf8'), 'hello')
    assert.equal(result.logUri, 'mlflow-artifacts:/1/tr1/artifacts/logs/s-1.log')
    assert.match(await readFile(join(dir, 'store/1/tr1/artifacts/logs/s-1.log'), 'utf8'), /said hi/)
  })

  it('should fail a step that does not write a declared output, saying which', async () => {
    const result = await executor.execute(task({ command: { shell: 'echo no' }, outputs: { artifacts: ['model'], params: [] } }), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.match(result.error ?? '', /declared output artifact 'model'/)
  })

  it('should report the exit code of a failing command and redact secrets in its log', async () => {
    const result = await executor.execute(task({ command: { shell: 'echo "token is $API_KEY"; exit 3' }, env: { API_KEY: 's3cr3t-value' }, secretEnv: ['API_KEY'] }), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.equal(result.exitCode, 3)
    const log = await readFile(join(dir, 'store/pipelines/run1/s-1/logs/s-1.log'), 'utf8')
    assert.match(log, /token is \*\*\*/)
    assert.doesNotMatch(log, /s3cr3t-value/)
  })

  it('should not hand Plinth settings to a step', async () => {
    const ex = new LocalExecutor({ artifacts: store, processEnv: { PATH: process.env.PATH, PLINTH_AUTH_TOKEN: 'x', KEEP: 'y' } })
    const result = await ex.execute(task({ command: { shell: 'echo "k=${KEEP}" >> $PLINTH_OUTPUT; echo "t=${PLINTH_AUTH_TOKEN:-none}" >> $PLINTH_OUTPUT' } }), new AbortController().signal)
    assert.deepEqual(result.outputParams, { k: 'y', t: 'none' })
  })

  it('should kill the whole process tree on timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid')
    const result = await executor.execute(task({ command: { shell: `sleep 100 & echo $! > ${pidFile}; sleep 100` }, timeoutMs: 300 }), new AbortController().signal)
    assert.equal(result.outcome, 'timed_out')
    const grandchild = Number(await readFile(pidFile, 'utf8'))
    assert.ok(grandchild > 0)
    assert.equal(await gone(grandchild), true, `grandchild ${grandchild} is still running`)
  })

  it('should kill the process tree when the run is cancelled', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const result = await executor.execute(task({ command: { shell: 'sleep 100' } }), controller.signal)
    assert.equal(result.outcome, 'cancelled')
  })

  it('should fail a command that cannot start with a clear error', async () => {
    const result = await executor.execute(task({ command: { argv: ['no-such-binary-plinth'] } }), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.match(result.error ?? '', /Could not start the command: .*ENOENT/)
  })

  it('should refuse an image step when no container runtime is on PATH', async () => {
    const ex = new LocalExecutor({ artifacts: store, containerRuntime: async () => undefined })
    const result = await ex.execute(task({ image: 'python:3.12', command: { argv: ['python', 'train.py'] } }), new AbortController().signal)
    assert.equal(result.outcome, 'failed')
    assert.match(result.error ?? '', /image 'python:3\.12', but neither docker nor podman/)
  })

  it('should build a docker run that mounts the scratch folder and passes env by name', () => {
    const argv = containerCommand('/usr/bin/docker', 'python:3.12', ['python', 'train.py'], { scratch: '/tmp/s', workingDir: '/src', env: ['PATH', 'API_KEY', 'PLINTH_OUTPUT'] })
    assert.deepEqual(argv, ['/usr/bin/docker', 'run', '--rm', '-v', '/tmp/s:/tmp/s', '-v', '/src:/src', '-w', '/src', '-e', 'API_KEY', '-e', 'PLINTH_OUTPUT', 'python:3.12', 'python', 'train.py'])
  })
})
