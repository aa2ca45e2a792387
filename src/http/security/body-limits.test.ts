import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { createTestApp, type TestApp } from '../../testing/test-services.js'

const LIMIT = 1024
const BIG = JSON.stringify({ name: 'x', padding: 'a'.repeat(4 * LIMIT) })

/** Every route with a body, read from Fastify's route tree (`printRoutes`), so a new route is covered without editing this test. */
function routesWithBodies(tree: string): Array<{ method: string; url: string }> {
  const stack: string[] = []
  const out: Array<{ method: string; url: string }> = []
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line)
    if (!match) continue
    const depth = Math.floor([...match[1]!].length / 4)
    stack.length = depth
    stack.push(match[2]!)
    const url = stack.join('').replace(/:[A-Za-z_]+/g, 'p1').replace(/\*$/, 'some/file.bin')
    for (const method of match[3]!.split(', ')) if (['POST', 'PUT', 'PATCH'].includes(method)) out.push({ method, url })
  }
  return out
}

describe('body limits on every route', () => {
  let t: TestApp
  let folder: string
  before(async () => {
    t = await createTestApp({ jsonBodyLimit: LIMIT, servingBodyLimit: LIMIT, artifactUploadLimit: LIMIT })
    folder = t.services.artifacts.storeUri.replace(/^file:\/\//, '')
  })
  after(() => t.close())

  it('should answer 413 PAYLOAD_TOO_LARGE, never a 5xx, to an oversized body on every route that takes one', async () => {
    const routes = routesWithBodies(t.app.printRoutes({ commonPrefix: false }))
    const families = new Set(routes.map((r) => r.url.split('/')[1]))
    for (const family of ['api', 'ajax-api', 'v2', 'v1']) assert.ok(families.has(family), `no ${family} routes found in ${[...families].join(', ')}`)
    assert.ok(routes.length > 40, `only ${routes.length} routes found`)
    const wrong: string[] = []
    for (const { method, url } of routes) {
      const response = await t.app.inject({ method: method as 'POST', url, payload: BIG, headers: { 'content-type': 'application/json' } })
      const code = response.statusCode === 413 ? JSON.parse(response.body).error_code : undefined
      if (response.statusCode !== 413 || code !== 'PAYLOAD_TOO_LARGE') wrong.push(`${method} ${url}: ${response.statusCode} ${response.body.slice(0, 120)}`)
    }
    assert.deepEqual(wrong, [])
  })

  it('should cut off a chunked artifact upload past the limit and keep no partial file', async () => {
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(512, 1))
    const response = await t.app.inject({ method: 'PUT', url: '/api/2.0/mlflow-artifacts/artifacts/1/big.bin', payload: Readable.from(chunks), headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(response.statusCode, 413)
    assert.equal(JSON.parse(response.body).error_code, 'PAYLOAD_TOO_LARGE')
    assert.match(JSON.parse(response.body).message, /--artifact-upload-limit/)
    assert.equal(existsSync(join(folder, '1', 'big.bin')), false)
  })

  it('should still take an upload within the limit', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/api/2.0/mlflow-artifacts/artifacts/1/small.bin', payload: Buffer.alloc(LIMIT, 2), headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(response.statusCode, 200)
  })
})
