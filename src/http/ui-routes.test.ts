import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createServices, type Services } from '../app/services.js'
import { resolveConfig } from '../config/index.js'
import { createApp } from './create-app.js'
import { UI_SECTIONS } from './ui-routes.js'

const INDEX = '<!doctype html><title>Plinth</title><script type="module" src="/assets/index-Ab12Cd34.js"></script>'
const SCRIPT = 'console.log("plinth")\n'

describe('web UI routes', () => {
  let dir: string
  let services: Services
  let app: FastifyInstance
  let bare: FastifyInstance
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-ui-routes-'))
    await mkdir(join(dir, 'ui', 'assets'), { recursive: true })
    await writeFile(join(dir, 'ui', 'index.html'), INDEX)
    await writeFile(join(dir, 'ui', 'assets', 'index-Ab12Cd34.js'), SCRIPT)
    await writeFile(join(dir, 'secret.txt'), 'outside the UI folder')
    services = await createServices(resolveConfig({ backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(dir, 'artifacts') }, {}))
    app = await createApp(services, { uiDir: join(dir, 'ui') })
    bare = await createApp(services, { uiDir: join(dir, 'not-built') })
  })
  after(async () => {
    await app.close()
    await bare.close()
    await services.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('should answer index.html revalidated on every load for / and for every UI section and its sub-paths', async () => {
    for (const url of ['/', ...UI_SECTIONS.map((s) => `/${s}`), '/models/churn/versions/2', '/pipeline-runs/abc?x=1', '/compare?runs=a,b']) {
      const response = await app.inject({ url })
      assert.equal(response.statusCode, 200, url)
      assert.equal(response.body, INDEX, url)
      assert.equal(response.headers['cache-control'], 'no-cache', url)
      assert.match(String(response.headers['content-type']), /^text\/html/, url)
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/, url)
    }
  })

  it('should serve hashed assets as immutable with their type and length, and 404 a missing or escaping asset', async () => {
    const asset = await app.inject({ url: '/assets/index-Ab12Cd34.js' })
    assert.equal(asset.statusCode, 200)
    assert.equal(asset.body, SCRIPT)
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal(asset.headers['content-length'], String(Buffer.byteLength(SCRIPT)))
    for (const url of ['/assets/index-Zz99.js', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const missing = await app.inject({ url })
      assert.equal(missing.statusCode, 404, url)
      assert.equal(missing.json().error_code, 'ENDPOINT_NOT_FOUND', url)
      assert.doesNotMatch(missing.body, /outside the UI folder/)
    }
  })

  it('should keep the JSON 404 of an unknown API path and of a path outside the UI sections', async () => {
    for (const url of ['/api/plinth/v1/no-such-thing', '/api/2.0/mlflow/nope', '/v2/models/x/nope', '/experimentz', '/index.html.bak']) {
      const response = await app.inject({ url })
      assert.equal(response.statusCode, 404, url)
      assert.equal(response.json().error_code, 'ENDPOINT_NOT_FOUND', url)
    }
  })

  it('should answer 503 saying to run npm run build when the UI is not built, while the API still works', async () => {
    for (const url of ['/', '/models']) {
      const response = await bare.inject({ url })
      assert.equal(response.statusCode, 503, url)
      assert.match(response.body, /npm run build/)
      assert.equal(response.headers['cache-control'], 'no-store')
    }
    assert.equal((await bare.inject({ url: '/api/2.0/mlflow/experiments/search?max_results=10' })).statusCode, 200)
  })

  it("should list as UI sections exactly the first path segments of the UI's client routes", async () => {
    const routes = await readFile(fileURLToPath(new URL('../../ui/src/routes.tsx', import.meta.url)), 'utf8')
    // Each route is `pattern: /^\/segment…/` or `/^\/(?:segment…)?$/` for the optional root.
    const segments = [...routes.matchAll(/pattern: \/\^\\\/(?:\(\?:)?([a-z][a-z-]*)/g)].map((m) => m[1]!)
    assert.ok(segments.length >= 10, `found the route patterns (${segments.length})`)
    assert.deepEqual([...new Set(segments)].sort(), [...UI_SECTIONS].sort())
    const uiList = /export const UI_SECTIONS = \[([^\]]*)\]/.exec(routes)![1]!.split(',').map((s) => s.trim().replace(/'/g, ''))
    assert.deepEqual(uiList.sort(), [...UI_SECTIONS].sort())
  })
})
