import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HelperSpawner } from './helper-spawner.js'

/** Gone or a zombie: a container's init may never reap the orphans it inherits. */
async function gone(pid: number): Promise<boolean> {
  const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((s) => s.split(') ')[1]?.[0], () => 'gone')
  return state === 'gone' || state === 'Z'
}

describe('HelperSpawner', () => {
  let dir: string
  let spawner: HelperSpawner
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-spawner-'))
    spawner = new HelperSpawner()
    assert.equal(await spawner.whenReady(), true)
  })
  after(async () => {
    await spawner.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('should start a command through the helper with its cwd, env and log, and report its exit code', async () => {
    const log = join(dir, 'a.log')
    const spawned = await spawner.spawn({ file: 'sh', args: ['-c', 'echo "$GREETING from $(pwd)"; echo err >&2; exit 3'], cwd: dir, env: { PATH: process.env.PATH!, GREETING: 'hi' }, logPath: log })
    assert.ok(spawned.pid && spawned.pid !== process.pid)
    assert.ok(spawned.startedAt <= Date.now())
    assert.deepEqual(await spawned.exited, { code: 3, signal: null })
    assert.equal(await readFile(log, 'utf8'), `hi from ${dir}\nerr\n`)
  })

  it('should start the command as the leader of its own process group, so the group can be killed from here', async () => {
    const spawned = await spawner.spawn({ file: 'sh', args: ['-c', 'sleep 30 & sleep 30'], cwd: dir, env: { PATH: process.env.PATH! }, logPath: join(dir, 'b.log') })
    process.kill(-spawned.pid!, 'SIGKILL')
    assert.deepEqual(await spawned.exited, { code: null, signal: 'SIGKILL' })
    assert.equal(await gone(spawned.pid!), true)
  })

  it('should report a command that cannot start as a spawn error', async () => {
    const spawned = await spawner.spawn({ file: 'no-such-binary-plinth', args: [], cwd: dir, env: { PATH: process.env.PATH! }, logPath: join(dir, 'c.log') })
    const exit = await spawned.exited
    assert.match(exit.spawnError?.message ?? '', /ENOENT/)
  })

  it('should spawn from this process while the helper is not up yet', async () => {
    const fresh = new HelperSpawner()
    const spawned = await fresh.spawn({ file: 'true', args: [], cwd: dir, env: { PATH: process.env.PATH! }, logPath: join(dir, 'd.log') })
    assert.deepEqual(await spawned.exited, { code: 0, signal: null })
    assert.equal(await fresh.whenReady(), true)
    await fresh.close()
  })
})
