import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { makeTempDir, removeTempDir, requestJson, runCli, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

const API = '/api/2.0/mlflow'
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })

/** The token workflow an operator follows: mint with the CLI, hand out, use against `--auth`. */
describe('API tokens made with the CLI against plinth server --auth', () => {
  let dir: string
  let store: string
  let server: PlinthServer

  async function plinth(...args: string[]): Promise<string> {
    const result = await runCli([...args, '--backend-store-uri', store])
    assert.equal(result.code, 0, `plinth ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
    return result.stdout
  }

  before(async () => {
    dir = await makeTempDir('cli-tokens')
    store = sqliteUri(join(dir, 'plinth.db'))
    await plinth('db', 'migrate')
    server = await startServer(['--auth', '--port', '0', '--log-level', 'warn', '--backend-store-uri', store, '--artifacts-destination', join(dir, 'artifacts')])
  })
  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should print a reader token that reads but may not write, and an editor token that writes, for a running server', { timeout: 300_000 }, async () => {
    const human = await plinth('tokens', 'create', '--name', 'dashboard', '--role', 'reader')
    const lines = human.split('\n')
    assert.match(lines[0]!, /^Created reader token 'dashboard' \(id \S+\)\.$/)
    assert.equal(lines[1], 'Secret (shown once; store it now):')
    const reader = lines[2]!
    assert.ok(reader.length >= 32, `not a secret: '${reader}'`)

    const editorToken = JSON.parse(await plinth('tokens', 'create', '--name', 'trainer', '--role', 'editor', '--json'))
    assert.equal(editorToken.role, 'editor')
    assert.equal(editorToken.name, 'trainer')
    const editor: string = editorToken.secret
    const base = server.url
    assert.match(server.output(), /auth: on/)

    const anonymous = await requestJson(base, 'GET', `${API}/experiments/search?max_results=10`)
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.body.error_code, 'UNAUTHENTICATED')

    const read = await requestJson(base, 'GET', `${API}/experiments/search?max_results=10`, undefined, bearer(reader))
    assert.equal(read.status, 200, JSON.stringify(read.body))
    assert.deepEqual(read.body.experiments.map((e: { name: string }) => e.name), ['Default'])

    const write = await requestJson(base, 'POST', `${API}/experiments/create`, { name: 'by-reader' }, bearer(reader))
    assert.equal(write.status, 403)
    assert.equal(write.body.error_code, 'PERMISSION_DENIED')

    const created = await requestJson(base, 'POST', `${API}/experiments/create`, { name: 'by-editor' }, bearer(editor))
    assert.equal(created.status, 200, JSON.stringify(created.body))
    const reread = await requestJson(base, 'GET', `${API}/experiments/get?experiment_id=${created.body.experiment_id}`, undefined, bearer(reader))
    assert.equal(reread.body.experiment.name, 'by-editor')
  })

  it('should list tokens without their secrets and revoke one so the server refuses it', { timeout: 300_000 }, async () => {
    const spare = JSON.parse(await plinth('tokens', 'create', '--name', 'spare', '--role', 'reader', '--json'))

    const listed = await plinth('tokens', 'list', '--json')
    assert.ok(!listed.includes(spare.secret), 'tokens list printed a secret')
    const tokens = JSON.parse(listed) as Array<{ tokenId: string; name: string; role: string }>
    assert.deepEqual(tokens.filter((t) => t.tokenId === spare.tokenId).map((t) => [t.name, t.role]), [['spare', 'reader']])

    assert.equal(await plinth('tokens', 'revoke', spare.tokenId), `Revoked token ${spare.tokenId}\n`)
    // The server caches tokens it has verified; this one it never saw, so the revocation made by
    // another process must apply at once.
    const refused = await requestJson(server.url, 'GET', `${API}/experiments/search`, undefined, bearer(spare.secret))
    assert.equal(refused.status, 401)
    assert.equal(refused.body.error_code, 'UNAUTHENTICATED')
  })
})
