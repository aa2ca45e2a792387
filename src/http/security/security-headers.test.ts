import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createApp } from '../create-app.js'
import { UI_CSP } from '../ui-routes.js'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'

const RESPONSES: Array<[string, 'GET' | 'POST', string, unknown?]> = [
  ['a JSON answer', 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0'],
  ['a client error', 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: 'nope' }],
  ['an unknown route', 'GET', '/api/plinth/v1/no-such-thing'],
  ['an inference 404', 'POST', '/v2/models/absent/infer', { inputs: [] }],
  ['plain text', 'GET', '/health'],
]

function headersOf(response: { headers: Record<string, unknown> }): Record<string, unknown> {
  return response.headers
}

describe('security headers and CORS', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(() => t.close())

  it('should send nosniff, DENY framing, no-referrer and a deny-all CSP on every kind of API response', async () => {
    for (const [what, method, url, body] of RESPONSES) {
      const headers = headersOf(await call(t.app, method, url, body))
      assert.equal(headers['x-content-type-options'], 'nosniff', what)
      assert.equal(headers['x-frame-options'], 'DENY', what)
      assert.equal(headers['referrer-policy'], 'no-referrer', what)
      assert.equal(headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", what)
      assert.equal(headers['strict-transport-security'], undefined, `${what}: HSTS only behind TLS`)
    }
  })

  it('should send no Access-Control-* header by default, even to a cross-origin preflight', async () => {
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/2.0/mlflow/runs/create', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    const plain = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } })
    for (const response of [preflight, plain]) {
      assert.deepEqual(Object.keys(response.headers).filter((h) => h.startsWith('access-control-')), [])
    }
    assert.notEqual(preflight.statusCode, 204)
  })

  it('should give the UI pages a CSP without inline scripts, and the UI source must need none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-ui-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>')
    const app = await createApp(t.services, { uiDir: dir })
    try {
      const page = await app.inject({ method: 'GET', url: '/experiments' })
      assert.equal(page.statusCode, 200)
      assert.equal(page.headers['content-security-policy'], UI_CSP)
      assert.doesNotMatch(UI_CSP, /script-src[^;]*unsafe-inline/)
      assert.equal(page.headers['x-frame-options'], 'DENY')
    } finally {
      await app.close()
      rmSync(dir, { recursive: true, force: true })
    }
    const html = readFileSync(fileURLToPath(new URL('../../../ui/index.html', import.meta.url)), 'utf8')
    for (const script of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
      assert.match(script, /\bsrc=/, `inline script the CSP would block: ${script}`)
      assert.match(script, /><\/script>$/, `script with a body: ${script}`)
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handlers are blocked by the CSP')
  })
})

describe('CORS with --cors-origins and HSTS with --hsts', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp({ corsOrigins: 'https://app.example.com,http://localhost:3000', hsts: true, auth: true })
  })
  after(() => t.close())

  it('should answer a listed origin\'s preflight with 204 without a token', async () => {
    const response = await t.app.inject({ method: 'OPTIONS', url: '/api/plinth/v1/deployments', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } })
    assert.equal(response.statusCode, 204)
    assert.equal(response.headers['access-control-allow-origin'], 'http://localhost:3000')
    assert.match(String(response.headers['access-control-allow-headers']), /authorization/)
    assert.match(String(response.headers['access-control-allow-methods']), /POST/)
    assert.match(String(response.headers.vary), /Origin/)
  })

  it('should allow a listed origin on real responses, errors included, and never an unlisted one', async () => {
    const listed = await t.app.inject({ method: 'GET', url: '/api/plinth/v1/deployments', headers: { origin: 'https://app.example.com' } })
    assert.equal(listed.statusCode, 401)
    assert.equal(listed.headers['access-control-allow-origin'], 'https://app.example.com')
    const other = await t.app.inject({ method: 'OPTIONS', url: '/api/plinth/v1/deployments', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
    assert.notEqual(other.statusCode, 204)
  })

  it('should send Strict-Transport-Security when --hsts is set', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' })
    assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
  })

  it('should refuse an origin with a path at start, saying the form it takes', async () => {
    await assert.rejects(createTestApp({ corsOrigins: 'https://app.example.com/' }), /scheme and host, no path/)
  })
})
