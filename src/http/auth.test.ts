import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AuthService, type TokenStore } from '../auth/index.js'
import { SqlTokenStore } from '../storage/sql/sql-token-store.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'

const API = '/api/2.0/mlflow'
const TOKENS = '/api/plinth/v1/tokens'

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })

describe('API tokens on a server started with --auth', () => {
  let t: TestApp
  let admin: string
  let editor: string
  let reader: string
  let runId: string

  before(async () => {
    t = await createTestApp({ auth: true })
    admin = (await t.services.auth.createToken({ name: 'root', role: 'admin' })).secret
    editor = (await t.services.auth.createToken({ name: 'trainer-bot', role: 'editor' })).secret
    reader = (await t.services.auth.createToken({ name: 'dashboard', role: 'reader' })).secret
    const run = await call(t.app, 'POST', `${API}/runs/create`, { experiment_id: '0' }, bearer(editor))
    assert.equal(run.status, 200)
    runId = run.body.run.info.run_id
  })
  after(async () => {
    await t.close()
  })

  describe('authentication', () => {
    it('should answer 401 UNAUTHENTICATED with a WWW-Authenticate header when no token is sent', async () => {
      for (const [method, path, body] of [
        ['GET', `${API}/experiments/get?experiment_id=0`, undefined],
        ['POST', `${API}/runs/search`, { experiment_ids: ['0'] }],
        ['POST', `${API}/runs/log-metric`, { run_id: 'x', key: 'a', value: 1, timestamp: 1 }],
        ['GET', TOKENS, undefined],
        ['GET', '/metrics', undefined],
      ] as const) {
        const response = await call(t.app, method, path, body)
        assert.equal(response.status, 401, `${method} ${path}`)
        assert.equal(response.body.error_code, 'UNAUTHENTICATED')
        assert.match(response.body.message, /Authorization: Bearer/)
        assert.match(String(response.headers['www-authenticate']), /Bearer realm="plinth"/)
        assert.match(String(response.headers['www-authenticate']), /Basic/)
      }
    })

    it('should answer 401 for garbage tokens, naming no internals', async () => {
      const garbage = [
        'nonsense',
        'plt_0123456789abcdef_' + 'A'.repeat(43),
        admin.slice(0, -1) + (admin.endsWith('A') ? 'B' : 'A'),
        `${admin}x`,
      ]
      for (const token of garbage) {
        const response = await call(t.app, 'GET', `${API}/experiments/get?experiment_id=0`, undefined, bearer(token))
        assert.equal(response.status, 401, token)
        assert.equal(response.body.error_code, 'UNAUTHENTICATED')
        assert.match(response.body.message, /Invalid or revoked API token/)
        assert.ok(response.headers['www-authenticate'], 'a 401 without WWW-Authenticate')
      }
      const otherScheme = await call(t.app, 'GET', `${API}/experiments/get?experiment_id=0`, undefined, { authorization: `Token ${admin}` })
      assert.equal(otherScheme.status, 401)
    })

    it('should keep /health and /version public', async () => {
      const health = await call(t.app, 'GET', '/health')
      assert.equal(health.status, 200)
      assert.equal(health.body, 'OK')
      assert.equal((await call(t.app, 'GET', '/version')).status, 200)
      const withGarbage = await call(t.app, 'GET', '/health', undefined, bearer('garbage'))
      assert.equal(withGarbage.status, 200)
    })

    it('should accept MLflow’s basic-auth form with the token as the password', async () => {
      const basic = (user: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}` })
      const logged = await call(t.app, 'POST', `${API}/runs/log-metric`, { run_id: runId, key: 'basic', value: 1, timestamp: 1 }, basic('anyone', editor))
      assert.equal(logged.status, 200, JSON.stringify(logged.body))
      const history = await call(t.app, 'GET', `${API}/metrics/get-history?run_id=${runId}&metric_key=basic`, undefined, basic('', reader))
      assert.equal(history.status, 200)
      assert.equal(history.body.metrics.length, 1)
      const wrong = await call(t.app, 'GET', `${API}/experiments/get?experiment_id=0`, undefined, basic('root', 'not-a-token'))
      assert.equal(wrong.status, 401)
      const readerWriting = await call(t.app, 'POST', `${API}/runs/set-tag`, { run_id: runId, key: 'k', value: 'v' }, basic('dashboard', reader))
      assert.equal(readerWriting.status, 403)
    })
  })

  describe('roles', () => {
    it('should let a reader GET and POST-search runs and experiments', async () => {
      const auth = bearer(reader)
      const getRun = await call(t.app, 'GET', `${API}/runs/get?run_id=${runId}`, undefined, auth)
      assert.equal(getRun.status, 200)
      assert.equal(getRun.body.run.info.run_id, runId)
      const runs = await call(t.app, 'POST', `${API}/runs/search`, { experiment_ids: ['0'] }, auth)
      assert.equal(runs.status, 200)
      assert.ok(runs.body.runs.some((r: any) => r.info.run_id === runId))
      const experiments = await call(t.app, 'POST', `${API}/experiments/search`, {}, auth)
      assert.equal(experiments.status, 200)
      assert.ok(experiments.body.experiments.some((e: any) => e.experiment_id === '0'))
      const experimentsGet = await call(t.app, 'GET', `${API}/experiments/search?max_results=5`, undefined, auth)
      assert.equal(experimentsGet.status, 200)
      const ajax = await call(t.app, 'POST', `/ajax-api/2.0/mlflow/runs/search`, { experiment_ids: ['0'] }, auth)
      assert.equal(ajax.status, 200)
      const trailingSlash = await call(t.app, 'POST', `${API}/runs/search/`, { experiment_ids: ['0'] }, auth)
      assert.equal(trailingSlash.status, 200, 'a trailing slash turned a search into a write')
    })

    it('should answer 403 PERMISSION_DENIED to a reader that creates or logs, and change nothing', async () => {
      const auth = bearer(reader)
      const attempts: Array<[string, unknown]> = [
        ['/experiments/create', { name: 'by-reader' }],
        ['/runs/create', { experiment_id: '0' }],
        ['/runs/log-metric', { run_id: runId, key: 'r', value: 1, timestamp: 1 }],
        ['/runs/log-batch', { run_id: runId, params: [{ key: 'by-reader', value: 'x' }] }],
        ['/runs/set-tag', { run_id: runId, key: 'by-reader', value: 'x' }],
        ['/runs/update', { run_id: runId, status: 'FAILED' }],
        ['/runs/delete', { run_id: runId }],
      ]
      for (const [path, body] of attempts) {
        const response = await call(t.app, 'POST', `${API}${path}`, body, auth)
        assert.equal(response.status, 403, path)
        assert.equal(response.body.error_code, 'PERMISSION_DENIED')
        assert.match(response.body.message, /dashboard.*reader.*cannot write/)
      }
      const run = await call(t.app, 'GET', `${API}/runs/get?run_id=${runId}`, undefined, auth)
      assert.equal(run.body.run.info.status, 'RUNNING')
      assert.equal(run.body.run.info.lifecycle_stage, 'active')
      assert.equal(run.body.run.data.params, undefined)
      const byName = await call(t.app, 'GET', `${API}/experiments/get-by-name?experiment_name=by-reader`, undefined, auth)
      assert.equal(byName.status, 404)
    })

    it('should let an editor write, and record the token’s name as the run’s user', async () => {
      const auth = bearer(editor)
      const experiment = await call(t.app, 'POST', `${API}/experiments/create`, { name: 'by-editor' }, auth)
      assert.equal(experiment.status, 200)
      const run = await call(t.app, 'POST', `${API}/runs/create`, { experiment_id: experiment.body.experiment_id }, auth)
      assert.equal(run.status, 200)
      assert.equal(run.body.run.info.user_id, 'trainer-bot')
      const tags = Object.fromEntries(run.body.run.data.tags.map((tag: any) => [tag.key, tag.value]))
      assert.equal(tags['mlflow.user'], 'trainer-bot')
      const id = run.body.run.info.run_id
      const batch = await call(t.app, 'POST', `${API}/runs/log-batch`, { run_id: id, metrics: [{ key: 'm', value: 2, timestamp: 1 }] }, auth)
      assert.equal(batch.status, 200)
      const stored = await t.services.tracking.getRun(id)
      assert.equal(stored.info.userId, 'trainer-bot')
      assert.deepEqual(stored.data.metrics.map((m) => m.value), [2])
    })

    it('should apply roles to artifact routes: reader may download, not upload; nobody anonymous', async () => {
      const path = `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model.txt`
      const put = (headers: Record<string, string>) =>
        t.app.inject({ method: 'PUT', url: path, payload: 'weights', headers: { 'content-type': 'application/octet-stream', ...headers } })
      assert.equal((await put({})).statusCode, 401)
      const byReader = await put(bearer(reader))
      assert.equal(byReader.statusCode, 403)
      assert.equal(JSON.parse(byReader.body).error_code, 'PERMISSION_DENIED')
      assert.equal((await put(bearer(editor))).statusCode, 200)

      assert.equal((await t.app.inject({ method: 'GET', url: path })).statusCode, 401)
      const download = await t.app.inject({ method: 'GET', url: path, headers: bearer(reader) })
      assert.equal(download.statusCode, 200)
      assert.equal(download.body, 'weights')
      const list = await call(t.app, 'GET', `${API}/artifacts/list?run_id=${runId}`, undefined, bearer(reader))
      assert.deepEqual(list.body.files, [{ path: 'model.txt', is_dir: false, file_size: 7 }])
      assert.equal((await t.app.inject({ method: 'DELETE', url: path, headers: bearer(reader) })).statusCode, 403)
      assert.equal((await t.app.inject({ method: 'GET', url: `/get-artifact?run_id=${runId}&path=model.txt` })).statusCode, 401)
    })
  })

  describe('token management', () => {
    it('should refuse token routes to readers and editors with 403', async () => {
      for (const secret of [reader, editor]) {
        const list = await call(t.app, 'GET', TOKENS, undefined, bearer(secret))
        assert.equal(list.status, 403)
        assert.equal(list.body.error_code, 'PERMISSION_DENIED')
        assert.match(list.body.message, /cannot manage tokens/)
        const create = await call(t.app, 'POST', TOKENS, { name: 'sneaky', role: 'admin' }, bearer(secret))
        assert.equal(create.status, 403)
        const revoke = await call(t.app, 'DELETE', `${TOKENS}/0123456789abcdef`, undefined, bearer(secret))
        assert.equal(revoke.status, 403)
      }
      assert.ok(!(await t.services.auth.listTokens()).some((token) => token.name === 'sneaky'))
    })

    it('should let an admin create a token whose secret is returned once and never listed', async () => {
      const created = await call(t.app, 'POST', TOKENS, { name: 'ci', role: 'editor' }, bearer(admin))
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const secret: string = created.body.secret
      assert.match(secret, /^plt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
      assert.equal(created.body.token.name, 'ci')
      assert.equal(created.body.token.role, 'editor')
      assert.equal(typeof created.body.token.created_at, 'number')
      assert.equal(created.body.token.revoked_at, undefined)

      const list = await call(t.app, 'GET', TOKENS, undefined, bearer(admin))
      assert.equal(list.status, 200)
      const listed = list.body.tokens.find((token: any) => token.token_id === created.body.token.token_id)
      assert.deepEqual(Object.keys(listed).sort(), ['created_at', 'name', 'role', 'token_id'])
      const raw = JSON.stringify(list.body)
      assert.ok(!raw.includes('secret'), 'a listing mentions secrets')
      // The secret is everything after `plt_<16 hex>_`; it is base64url, so it may hold '_' itself.
      for (const token of [secret, admin, editor, reader]) assert.ok(!raw.includes(token.slice('plt_'.length + 17)), 'a listing leaked a secret')

      // The new secret works at once.
      const used = await call(t.app, 'POST', `${API}/runs/set-tag`, { run_id: runId, key: 'from-ci', value: 'yes' }, bearer(secret))
      assert.equal(used.status, 200)
    })

    it('should refuse a token with an unknown role or no name', async () => {
      const badRole = await call(t.app, 'POST', TOKENS, { name: 'x', role: 'superuser' }, bearer(admin))
      assert.equal(badRole.status, 400)
      assert.equal(badRole.body.error_code, 'INVALID_PARAMETER_VALUE')
      assert.match(badRole.body.message, /superuser/)
      const noName = await call(t.app, 'POST', TOKENS, { name: '  ', role: 'reader' }, bearer(admin))
      assert.equal(noName.status, 400)
      const missing = await call(t.app, 'POST', TOKENS, { role: 'reader' }, bearer(admin))
      assert.equal(missing.status, 400)
      assert.match(missing.body.message, /Missing value for required parameter 'name'/)
    })

    it('should revoke a token with DELETE, after which it gets 401; revoking twice is 404', async () => {
      const created = await call(t.app, 'POST', TOKENS, { name: 'short-lived', role: 'reader' }, bearer(admin))
      const secret: string = created.body.secret
      const tokenId: string = created.body.token.token_id
      // Verified once, so it sits in the cache when it is revoked.
      assert.equal((await call(t.app, 'GET', `${API}/experiments/get?experiment_id=0`, undefined, bearer(secret))).status, 200)

      const revoked = await call(t.app, 'DELETE', `${TOKENS}/${tokenId}`, undefined, bearer(admin))
      assert.equal(revoked.status, 200)
      assert.deepEqual(revoked.body, {})
      const after = await call(t.app, 'GET', `${API}/experiments/get?experiment_id=0`, undefined, bearer(secret))
      assert.equal(after.status, 401)
      assert.equal(after.body.error_code, 'UNAUTHENTICATED')
      assert.match(after.body.message, /revoked/)

      const listed = (await call(t.app, 'GET', TOKENS, undefined, bearer(admin))).body.tokens.find((token: any) => token.token_id === tokenId)
      assert.equal(typeof listed.revoked_at, 'number')

      const again = await call(t.app, 'DELETE', `${TOKENS}/${tokenId}`, undefined, bearer(admin))
      assert.equal(again.status, 404)
      assert.equal(again.body.error_code, 'RESOURCE_DOES_NOT_EXIST')
    })

    it('should accept a DELETE that carries a JSON content type with an empty or JSON body', async () => {
      const one = await t.services.auth.createToken({ name: 'del-1', role: 'reader' })
      const two = await t.services.auth.createToken({ name: 'del-2', role: 'reader' })
      const empty = await t.app.inject({ method: 'DELETE', url: `${TOKENS}/${one.token.tokenId}`, headers: { ...bearer(admin), 'content-type': 'application/json' } })
      assert.equal(empty.statusCode, 200, empty.body)
      const withBody = await call(t.app, 'DELETE', `${TOKENS}/${two.token.tokenId}`, {}, bearer(admin))
      assert.equal(withBody.status, 200, JSON.stringify(withBody.body))
      const tokens = await t.services.auth.listTokens()
      for (const id of [one.token.tokenId, two.token.tokenId]) {
        assert.equal(typeof tokens.find((token) => token.tokenId === id)?.revokedAt, 'number')
      }
    })
  })
})

describe('AuthService.verify cache', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(async () => {
    await t.close()
  })

  /** The real SQL store, counting calls per method. */
  function countingStore(): { store: TokenStore; calls: Map<string, number> } {
    const inner = new SqlTokenStore(t.services.database)
    const calls = new Map<string, number>()
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          calls.set(String(property), (calls.get(String(property)) ?? 0) + 1)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    }) as TokenStore
    return { store, calls }
  }

  it('should read the store once for the same token verified twice (MLflow#9684)', async () => {
    const { store, calls } = countingStore()
    const auth = new AuthService(store)
    const { secret, token } = await auth.createToken({ name: 'cached', role: 'editor' })
    const first = await auth.verify(secret)
    const second = await auth.verify(secret)
    assert.deepEqual(first, { tokenId: token.tokenId, name: 'cached', role: 'editor' })
    assert.deepEqual(second, first)
    assert.equal(calls.get('find'), 1)
    for (let i = 0; i < 100; i++) await auth.verify(secret)
    assert.equal(calls.get('find'), 1)
  })

  it('should read the store again after the cache entry expires', async () => {
    const { store, calls } = countingStore()
    let now = 1_700_000_000_000
    const auth = new AuthService(store, { now: () => now })
    const { secret } = await auth.createToken({ name: 'expiring', role: 'reader' })
    await auth.verify(secret)
    now += 29_000
    await auth.verify(secret)
    assert.equal(calls.get('find'), 1)
    now += 2_000
    await auth.verify(secret)
    assert.equal(calls.get('find'), 2)
  })

  it('should forget a revoked token at once on the same instance, and not cache failures', async () => {
    const { store, calls } = countingStore()
    const auth = new AuthService(store)
    const { secret, token } = await auth.createToken({ name: 'revoked', role: 'reader' })
    await auth.verify(secret)
    await auth.revokeToken(token.tokenId)
    await assert.rejects(auth.verify(secret), (error: any) => error.code === 'UNAUTHENTICATED')
    await assert.rejects(auth.verify(secret), (error: any) => error.code === 'UNAUTHENTICATED')
    assert.equal(calls.get('find'), 3)
  })

  it('should not touch the store at all for a malformed token', async () => {
    const { store, calls } = countingStore()
    const auth = new AuthService(store)
    await assert.rejects(auth.verify('not-a-plinth-token'), (error: any) => error.code === 'UNAUTHENTICATED')
    assert.equal(calls.get('find'), undefined)
  })
})
