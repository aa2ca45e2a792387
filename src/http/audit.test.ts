import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AuditService, type AuditStore } from '../audit/index.js'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'
import { createApp } from './create-app.js'

const API = '/api/2.0/mlflow'
const AUDIT = '/api/plinth/v1/audit'
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })

describe('audit log of mutations on a server with --auth', () => {
  let t: TestApp
  let admin: string
  let editor: string
  let reader: string
  before(async () => {
    t = await createTestApp({ auth: true })
    admin = (await t.services.auth.createToken({ name: 'root', role: 'admin' })).secret
    editor = (await t.services.auth.createToken({ name: 'trainer-bot', role: 'editor' })).secret
    reader = (await t.services.auth.createToken({ name: 'dashboard', role: 'reader' })).secret
  })
  after(() => t.close())

  it('should record who changed what, how it ended and from where, and skip reads and unauthenticated calls', async () => {
    const created = await call(t.app, 'POST', `${API}/experiments/create`, { name: 'audited' }, bearer(editor))
    assert.equal(created.status, 200)
    assert.equal((await call(t.app, 'POST', `${API}/experiments/create`, { name: 'denied' }, bearer(reader))).status, 403)
    assert.equal((await call(t.app, 'POST', `${API}/experiments/search`, { max_results: 5 }, bearer(reader))).status, 200)
    assert.equal((await call(t.app, 'POST', `${API}/experiments/create`, { name: 'nobody' })).status, 401)
    assert.equal((await call(t.app, 'DELETE', '/api/plinth/v1/tokens/no-such-token', undefined, bearer(admin))).status, 404)

    const listed = await call(t.app, 'GET', AUDIT, undefined, bearer(admin))
    assert.equal(listed.status, 200)
    const events = listed.body.events
    assert.deepEqual(events.map((e: any) => [e.actor, e.method, e.route, e.status]), [
      ['root', 'DELETE', '/api/plinth/v1/tokens/:tokenId', 404],
      ['dashboard', 'POST', `${API}/experiments/create`, 403],
      ['trainer-bot', 'POST', `${API}/experiments/create`, 200],
    ])
    const first = events[2]
    assert.deepEqual(first.resource_ids, { name: 'audited' })
    assert.equal(first.remote_address, '127.0.0.1')
    assert.ok(first.request_id.length > 0)
    assert.ok(Math.abs(first.time - Date.now()) < 60_000)
    assert.deepEqual(events[0].resource_ids, { tokenId: 'no-such-token' })
    assert.ok(!JSON.stringify(events).includes(editor), 'no secret in the audit log')
  })

  it('should let only admins read it, and filter by actor', async () => {
    const denied = await call(t.app, 'GET', AUDIT, undefined, bearer(editor))
    assert.equal(denied.status, 403)
    const mine = await call(t.app, 'GET', `${AUDIT}?actor=trainer-bot&max_results=10`, undefined, bearer(admin))
    assert.deepEqual(mine.body.events.map((e: any) => e.actor), ['trainer-bot'])
    const bad = await call(t.app, 'GET', `${AUDIT}?max_results=0`, undefined, bearer(admin))
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE')
  })
})

describe('audit log without --auth', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(() => t.close())

  it('should name the actor anonymous', async () => {
    assert.equal((await call(t.app, 'POST', `${API}/experiments/create`, { name: 'open' })).status, 200)
    const listed = await call(t.app, 'GET', AUDIT)
    assert.equal(listed.body.events[0].actor, 'anonymous')
    assert.equal(listed.body.events[0].token_id, undefined)
  })

  it('should not acknowledge a mutation whose audit record could not be written', async () => {
    const failing: AuditStore = { append: () => Promise.reject(new Error('disk full')), list: () => Promise.resolve({ items: [] }) }
    const app = await createApp({ ...t.services, audit: new AuditService(failing) })
    try {
      const response = await call(app, 'POST', `${API}/experiments/create`, { name: 'unaudited' })
      assert.equal(response.status, 503)
      assert.equal(response.body.error_code, 'TEMPORARILY_UNAVAILABLE')
      assert.match(response.body.message, /audit log/)
    } finally {
      await app.close()
    }
  })
})
