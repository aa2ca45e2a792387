import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { StepTask } from '../../step-executor.js'
import { createDefaultStepRunner } from './default-step-runner.js'
import { eventually, processGone } from './queue-redis.test-helper.js'
import { shellTask } from './sh-runner.test-helper.js'

describe('default step runner', () => {
  const run = createDefaultStepRunner({ stderrTailBytes: 64, killGraceMs: 200 })
  const never = new AbortController().signal
  let dir: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-runner-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function childPid(file: string): Promise<number> {
    await eventually(async () => (await readFile(file, 'utf8').catch(() => '')).trim() !== '', 'the step to start its child')
    return Number((await readFile(file, 'utf8')).trim())
  }

  it('should run a shell command with the task environment and working directory', async () => {
    const task: StepTask = { ...shellTask('a1', 'echo "$ALPHA" > out.txt'), workingDir: dir, env: { ALPHA: 'one' } }
    const result = await run(task, never)
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.exitCode, 0)
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'one\n')
  })

  it('should run an argv command without a shell', async () => {
    const task: StepTask = { ...shellTask('a2', ''), command: { argv: ['sh', '-c', 'exit 0', 'ignored $HOME'] } }
    assert.equal((await run(task, never)).outcome, 'succeeded')
  })

  it('should report a non-zero exit as failed with the end of stderr', async () => {
    const result = await run(shellTask('a3', `printf 'x%.0s' $(seq 1 200) >&2; echo ' disk full' >&2; exit 4`), never)
    assert.equal(result.outcome, 'failed')
    assert.equal(result.exitCode, 4)
    assert.match(result.error ?? '', /exited with code 4; stderr ends with:\nx+ disk full$/)
    assert.ok((result.error ?? '').length < 200)
  })

  it('should report a command that cannot start as failed', async () => {
    const task: StepTask = { ...shellTask('a4', ''), command: { argv: [join(dir, 'no-such-program')] } }
    const result = await run(task, never)
    assert.equal(result.outcome, 'failed')
    assert.match(result.error ?? '', /could not start .*no-such-program/)
  })

  it('should kill the whole process group when the timeout passes', async () => {
    const pidFile = join(dir, 'timeout.pid')
    const task: StepTask = { ...shellTask('a5', `sleep 60 & echo $! > ${pidFile}; wait`), timeoutMs: 300 }
    const result = await run(task, never)
    assert.equal(result.outcome, 'timed_out')
    await eventually(async () => processGone(await childPid(pidFile)), 'the background child to be killed', 10_000)
  })

  it('should kill the whole process group when cancelled, even one that ignores SIGTERM', async () => {
    const pidFile = join(dir, 'cancel.pid')
    const controller = new AbortController()
    const running = run(shellTask('a6', `trap '' TERM; sleep 60 & echo $! > ${pidFile}; wait`), controller.signal)
    const pid = await childPid(pidFile)
    controller.abort()
    assert.equal((await running).outcome, 'cancelled')
    await eventually(() => processGone(pid), 'the background child to be killed', 10_000)
  })

  it('should not leave background processes behind after the step exits', async () => {
    const pidFile = join(dir, 'left.pid')
    const result = await run(shellTask('a7', `sleep 60 > /dev/null 2>&1 & echo $! > ${pidFile}`), never)
    assert.equal(result.outcome, 'succeeded')
    await eventually(async () => processGone(await childPid(pidFile)), 'the left-behind child to be killed', 10_000)
  })
})
