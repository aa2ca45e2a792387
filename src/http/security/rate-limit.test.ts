import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { resolveConfig } from '../../config/index.js'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'
import { TokenBuckets } from './token-bucket.js'

describe('token buckets', () => {
  it('should grant a burst, then one request per 1/rate seconds, per key', () => {
    const buckets = new TokenBuckets(2, 3)
    assert.deepEqual([0, 0, 0].map(() => buckets.take('a', 1000)), [0, 0, 0])
    assert.equal(buckets.take('a', 1000), 0.5)
    assert.equal(buckets.take('b', 1000), 0, 'another caller has its own bucket')
    assert.equal(buckets.take('a', 1500), 0, 'half a second refills one token at 2/s')
    assert.ok(buckets.take('a', 1500) > 0)
  })
})

describe('rate limits on the HTTP API', () => {
  let t: TestApp
  let first: string
  let second: string
  before(async () => {
    t = await createTestApp({ auth: true, rateLimit: 1, rateLimitBurst: 3, servingRateLimit: 1 })
    first = (await t.services.auth.createToken({ name: 'busy', role: 'editor' })).secret
    second = (await t.services.auth.createToken({ name: 'calm', role: 'reader' })).secret
  })
  after(() => t.close())

  const get = (secret: string) => call(t.app, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', undefined, { authorization: `Bearer ${secret}` })

  it('should answer 429 RATE_LIMITED with Retry-After once a token spends its burst, leaving other tokens alone', async () => {
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await get(first)).status)
    assert.deepEqual(statuses, [200, 200, 200, 429])
    const limited = await get(first)
    assert.equal(limited.status, 429)
    assert.equal(limited.body.error_code, 'RATE_LIMITED')
    assert.match(limited.body.message, /--rate-limit/)
    assert.ok(Number(limited.headers['retry-after']) >= 1)
    assert.equal((await get(second)).status, 200)
  })

  it('should count inference apart from the management API and never limit /health', async () => {
    const infer = () => call(t.app, 'POST', '/v2/models/absent/infer', { inputs: [] }, { authorization: `Bearer ${second}` })
    const statuses = [(await infer()).status, (await infer()).status, (await infer()).status]
    assert.ok(statuses.slice(0, 2).every((s) => s !== 429), String(statuses))
    assert.ok(statuses.includes(429), String(statuses))
    for (let i = 0; i < 10; i++) assert.equal((await call(t.app, 'GET', '/health')).status, 200)
  })
})

describe('rate limit defaults', () => {
  it('should limit the management API only with --auth, and inference never unless asked', () => {
    const open = resolveConfig({}, {})
    assert.equal(open.rateLimit, 0)
    assert.equal(open.servingRateLimit, 0)
    const shared = resolveConfig({ auth: true }, {})
    assert.equal(shared.rateLimit, 200)
    assert.equal(shared.rateLimitBurst, 400)
    assert.equal(resolveConfig({ auth: true }, { PLINTH_RATE_LIMIT: '0' }).rateLimit, 0)
    assert.throws(() => resolveConfig({ rateLimit: '-1' }, {}), /--rate-limit must be a number/)
  })
})
