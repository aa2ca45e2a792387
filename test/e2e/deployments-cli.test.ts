import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { createServices } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { seedModel } from '../../src/testing/registry-fixtures.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')

interface Result {
  code: number
  stdout: string
  stderr: string
}

describe('plinth deployments (CLI in a child process)', () => {
  let folder: string
  let storeUri: string

  const plinth = (...args: string[]) =>
    new Promise<Result>((resolve) => {
      const env = { ...process.env, PLINTH_BACKEND_STORE_URI: storeUri }
      execFile(process.execPath, ['--import', TSX, MAIN, 'deployments', ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      })
    })
  /** Every failure is one `error:` line and an exit code per error code, never a stack trace. */
  const fails = async (exit: number, message: RegExp, ...args: string[]) => {
    const result = await plinth(...args)
    assert.equal(result.code, exit, `${args.join(' ')}: ${result.stderr}`)
    assert.match(result.stderr, /^error: [^\n]+\n$/)
    assert.match(result.stderr, message)
  }
  const json = async (...args: string[]) => {
    const result = await plinth(...args, '--json')
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout)
  }

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-deployments-cli-'))
    storeUri = `sqlite:///${join(folder, 'plinth.db')}`
    const services = await createServices(resolveConfig({ backendStoreUri: storeUri, artifactsDestination: join(folder, 'artifacts') }, {}))
    try {
      await seedModel(services, 'churn', 5, { champion: 3 })
    } finally {
      await services.close()
    }
  })
  after(() => rmSync(folder, { recursive: true, force: true }))

  it('should create a canary with a shadow and a sticky header', async () => {
    const created = await plinth('create', 'churn-api', '--route', 'churn@champion=90', '--route', 'churn/4=10', '--shadow', 'churn/5:0.1', '--sticky-header', 'X-User-Id')
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.stdout, 'Created churn-api (revision 1): churn@champion 90%, churn/4 10%; shadow churn/5 10%; sticky on x-user-id\n')
  })

  it('should list and show deployments, resolving aliases to versions', async () => {
    const [listed, shown, table] = await Promise.all([json('list'), json('show', 'churn-api'), plinth('show', 'churn-api')])
    assert.deepEqual(listed.map((d: { name: string }) => d.name), ['churn-api'])
    assert.deepEqual(shown.targets.map((u: { role: string; version: number }) => `${u.role}:${u.version}`), ['route:3', 'route:4', 'shadow:5'])
    assert.match(table.stdout, /^route +churn@champion +3 +90%/m)
    assert.match(table.stdout, /^shadow +churn\/5 +5 +10% mirrored +[0-9a-f]{32}$/m)
  })

  it('should update only what the flags name, and refuse a stale --expected-revision with exit 9', async () => {
    const updated = await plinth('update', 'churn-api', '--route', 'churn@champion', '--no-shadow', '--expected-revision', '1')
    assert.equal(updated.code, 0, updated.stderr)
    assert.equal(updated.stdout, 'Updated churn-api (revision 2): churn@champion 100%; sticky on x-user-id\n')
    await fails(9, /is at revision 2, not 1/, 'update', 'churn-api', '--no-sticky-header', '--expected-revision', '1')
    await fails(3, /Nothing to change/, 'update', 'churn-api')
  })

  it('should roll back and show the history with who and why', async () => {
    const rolled = await plinth('rollback', 'churn-api')
    assert.equal(rolled.code, 0, rolled.stderr)
    assert.match(rolled.stdout, /^Restored the routing of revision 1 to churn-api \(revision 3\): churn@champion 90%, churn\/4 10%; shadow churn\/5 10%/)
    const history = await json('history', 'churn-api')
    assert.deepEqual(history.map((r: { revision: number; reason: string }) => `${r.revision} ${r.reason}`), ['3 rollback to 1', '2 update', '1 create'])
    assert.ok(history.every((r: { createdBy: string }) => r.createdBy.length > 0))
  })

  it('should fail with one line and the error code’s exit status', async () => {
    await Promise.all([
      fails(5, /routes\[0\] \(churn\/9\)/, 'create', 'bad', '--route', 'churn/9'),
      fails(5, /no alias 'gold'/, 'create', 'bad', '--route', 'churn@gold=50', '--route', 'churn/1=50'),
      fails(3, /weights must add up to 100; they add up to 120/, 'create', 'bad', '--route', 'churn/1=60', '--route', 'churn/2=60'),
      fails(3, /names no version or alias/, 'create', 'bad', '--route', 'churn=100'),
      fails(4, /already exists/, 'create', 'churn-api', '--route', 'churn/1'),
      fails(5, /No deployment named 'nope'/, 'rollback', 'nope'),
    ])
  })

  it('should delete a deployment', async () => {
    const deleted = await plinth('delete', 'churn-api')
    assert.deepEqual([deleted.code, deleted.stdout], [0, 'Deleted deployment churn-api and its history\n'])
    await fails(5, /No deployment named 'churn-api'/, 'show', 'churn-api')
  })
})
