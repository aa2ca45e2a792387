import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, describe, it, type TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { resolveConfig } from '../../config/index.js'
import { registerModels, stringModel, unaryModel } from '../../inference/serving-fixtures.test-helper.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { createModelServerApp } from '../model-server-app.js'
import { MalformedRequests, type Probe, type V2Target } from './malformed-requests.test-helper.js'

/**
 * Thousands of malformed requests to every serving endpoint: each must be answered below 500
 * with a JSON error naming the problem, and correct requests sent in between must still be
 * served. PLINTH_FUZZ_SEED replays a failure, as in the tracking API's bad-input suite.
 */
const SEED = Number(process.env.PLINTH_FUZZ_SEED ?? 20240611)
/** Small, so that over-limit bodies stay cheap to build and send. */
const LIMIT = 4096
/** A correct request after every this many malformed ones. */
const EVERY = 25

interface Answer {
  status: number
  text: string
}

/** Why an answer is wrong for the probe, or undefined if it is right. */
function verdict(probe: Probe, { status, text }: Answer): string | undefined {
  if (status >= 500) return `status ${status}`
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return `status ${status} with a body that is not JSON`
  }
  if (status >= 400) {
    const message = (body as Record<string, unknown> | null)?.[probe.errorField]
    if (typeof message !== 'string' || message.length === 0) return `status ${status} without a "${probe.errorField}" message`
  } else if (probe.mustRefuse) {
    return `accepted with ${status}`
  }
  return undefined
}

async function inject(app: FastifyInstance, probe: Probe): Promise<Answer> {
  const response = await app.inject({ method: probe.method, url: probe.url, headers: probe.headers, ...(probe.payload !== undefined ? { payload: probe.payload } : {}) })
  return { status: response.statusCode, text: response.body }
}

/** Sends probes, counting them by endpoint and collecting wrong answers with what was sent. */
class Campaign {
  readonly counts = new Map<string, number>()
  readonly statuses = new Map<number, number>()
  readonly failures: string[] = []

  async probe(endpoint: string, probe: Probe, send: (probe: Probe) => Promise<Answer>): Promise<void> {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1)
    const answer = await send(probe)
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1)
    const wrong = verdict(probe, answer)
    if (wrong && this.failures.length < 10) this.failures.push(`${probe.label} → ${wrong}: ${probe.method} ${probe.url.slice(0, 100)} ${probe.payload?.slice(0, 120) ?? ''} → ${answer.text.slice(0, 160)}`)
  }

  report(ctx: TestContext): void {
    ctx.diagnostic([...this.counts].map(([endpoint, n]) => `${endpoint}: ${n}`).join(', '))
    ctx.diagnostic(`statuses ${[...this.statuses].sort().map(([status, n]) => `${status}: ${n}`).join(', ')}`)
    assert.deepEqual(this.failures, [], `seed ${SEED}: ${this.failures.length} bad answers`)
  }
}

describe('serving endpoints with malformed requests', () => {
  let t: TestApp
  const targets: V2Target[] = [
    { url: '/v2/models/churn/infer', input: 'x', datatype: 'FP32', rowShape: [4] },
    { url: '/v2/models/churn/versions/1/infer', input: 'x', datatype: 'FP32', rowShape: [4] },
    { url: '/v2/models/ab/infer', input: 'x', datatype: 'FP32', rowShape: [4] },
    { url: '/v2/models/echo/infer', input: 'text', datatype: 'BYTES', rowShape: [] },
  ]

  before(async () => {
    t = await createTestApp({ servingBodyLimit: LIMIT })
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Relu')], { champion: 2 })
    await registerModels(t.services, 'echo', [stringModel()])
    await t.services.deployments.create('ab', { routes: [{ model: 'churn', version: '1', weight: 50 }, { model: 'churn', version: '2', weight: 50 }] })
    await t.services.inference.pollChanges()
  })
  after(() => t.close())

  /** A correct request to one of the endpoints, checked for the right output shape. */
  async function correct(g: MalformedRequests, round: number, send: (probe: Probe) => Promise<Answer>): Promise<void> {
    const rows = 1 + g.int(3)
    const target = targets[round % (targets.length + 1)]
    const probe: Probe = target
      ? { method: 'POST', url: target.url, payload: JSON.stringify(g.validV2(target, rows)), headers: { 'content-type': 'application/json' }, label: 'correct', mustRefuse: false, errorField: 'error' }
      : { method: 'POST', url: '/v1/models/churn:predict', payload: JSON.stringify({ instances: g.rows(rows) }), headers: { 'content-type': 'application/json' }, label: 'correct', mustRefuse: false, errorField: 'error' }
    const answer = await send(probe)
    assert.equal(answer.status, 200, `${probe.url} ${probe.payload} → ${answer.text}`)
    const body = JSON.parse(answer.text)
    if (!target) assert.deepEqual(body.predictions.map((row: number[]) => row.length), Array(rows).fill(4))
    else assert.deepEqual(body.outputs[0].shape, [rows, ...target.rowShape])
  }

  it('should answer every malformed V2, V1 and metadata request below 500 and keep serving correct ones', async (ctx) => {
    const g = new MalformedRequests(SEED)
    const campaign = new Campaign()
    const send = (probe: Probe) => inject(t.app, probe)
    for (let i = 1; i <= 3000; i++) {
      if (i % EVERY === 0) {
        await correct(g, i / EVERY, send)
        continue
      }
      const roll = g.int(100)
      if (roll < 55) {
        const target = g.pick(targets)
        await campaign.probe(target.url, g.v2Infer(target, LIMIT), send)
      } else if (roll < 75) {
        await campaign.probe('/v1/models/churn:predict', g.v1Predict(g.pick(['/v1/models/churn:predict', '/v1/models/ab:predict']), LIMIT), send)
      } else if (roll < 80) {
        const url = g.pick(['/v1/models/churn:explain', '/v1/models/nobody:predict', '/v1/models/:predict', '/v1/models/churn', '/v2/models/churn/versions/-1/infer', '/v2/models/churn/versions/1e9/infer', '/v2/models/ab/versions/1/infer'])
        await campaign.probe('other POSTs', { ...g.v2Infer(targets[0]!, LIMIT), url, mustRefuse: true }, send)
      } else {
        await campaign.probe('metadata GETs', g.metadataGet(g.pick(['churn', 'echo', 'ab'])), send)
      }
    }
    assert.deepEqual(JSON.parse((await inject(t.app, { method: 'GET', url: '/v2/health/live', headers: {}, label: '', mustRefuse: false, errorField: 'error' })).text), { live: true })
    await correct(g, 0, send)
    campaign.report(ctx)
  })

  it('should answer malformed and over-limit bodies over a real socket, chunked ones included', async (ctx) => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
    const g = new MalformedRequests(SEED + 1)
    const campaign = new Campaign()
    const send = async (probe: Probe): Promise<Answer> => {
      const response = await fetch(`${address}${probe.url}`, { method: probe.method, headers: probe.headers, ...(probe.payload !== undefined ? { body: probe.payload } : {}) })
      return { status: response.status, text: await response.text() }
    }
    for (let i = 1; i <= 200; i++) {
      if (i % EVERY === 0) await correct(g, i / EVERY, send)
      else if (i % 10 === 0) await campaign.probe('chunked over-limit', CHUNKED, () => sendChunked(address, g.validV2(targets[0]!, LIMIT / 4)))
      else await campaign.probe('socket /v2 and /v1', g.chance(0.7) ? g.v2Infer(g.pick(targets), LIMIT) : g.v1Predict('/v1/models/churn:predict', LIMIT), send)
    }
    await correct(g, 0, send)
    campaign.report(ctx)
  })
})

const CHUNKED: Probe = { method: 'POST', url: '/v2/models/churn/infer', headers: {}, label: 'chunked over-limit', mustRefuse: true, errorField: 'error' }

/** A body with no Content-Length, sent in pieces, so the limit is found only while reading. */
function sendChunked(address: string, body: unknown): Promise<Answer> {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${address}/v2/models/churn/infer`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
      let received = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (received += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: received }))
    })
    request.on('error', reject)
    for (let at = 0; at < text.length; at += 512) request.write(text.slice(at, at + 512))
    request.end()
  })
}

describe('the one-model server (plinth serve) with malformed requests', () => {
  let app: FastifyInstance
  before(async () => {
    app = (await createModelServerApp({ name: 'churn', version: 3, bytes: unaryModel('Neg') }, resolveConfig({ servingBodyLimit: LIMIT }, {}))).app
    await app.ready()
  })
  after(() => app.close())

  it('should answer every malformed /invocations, V2 and V1 request below 500 and keep scoring correct ones', async (ctx) => {
    const g = new MalformedRequests(SEED + 2)
    const campaign = new Campaign()
    const send = (probe: Probe) => inject(app, probe)
    const v2: V2Target[] = [
      { url: '/v2/models/churn/infer', input: 'x', datatype: 'FP32', rowShape: [4] },
      { url: '/v2/models/churn/versions/3/infer', input: 'x', datatype: 'FP32', rowShape: [4] },
    ]
    for (let i = 1; i <= 1600; i++) {
      if (i % EVERY === 0) {
        const rows = g.rows()
        const csv = i % (2 * EVERY) === 0
        const payload = csv ? `a,b,c,d\n${rows.map((r) => r.join(',')).join('\n')}\n` : JSON.stringify({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: rows } })
        const answer = await inject(app, { method: 'POST', url: '/invocations', payload, headers: { 'content-type': csv ? 'text/csv' : 'application/json' }, label: 'correct', mustRefuse: false, errorField: 'message' })
        assert.equal(answer.status, 200, `${payload} → ${answer.text}`)
        assert.deepEqual(JSON.parse(answer.text), { predictions: rows.map((r) => r.map((v) => 0 - v)) })
        continue
      }
      const roll = g.int(100)
      if (roll < 70) await campaign.probe('/invocations', g.invocations(LIMIT), send)
      else if (roll < 85) await campaign.probe('serve /v2 infer', g.v2Infer(g.pick(v2), LIMIT), send)
      else if (roll < 95) await campaign.probe('serve /v1 predict', g.v1Predict('/v1/models/churn:predict', LIMIT), send)
      else await campaign.probe('serve metadata GETs', g.metadataGet('churn'), send)
    }
    assert.equal((await app.inject({ method: 'GET', url: '/v2/health/live' })).statusCode, 200)
    assert.equal((await app.inject({ method: 'GET', url: '/ping' })).statusCode, 200)
    campaign.report(ctx)
  })
})

describe('the one-model server with its default body limit and data nested very deep', () => {
  let app: FastifyInstance
  before(async () => {
    app = (await createModelServerApp({ name: 'churn', version: 3, bytes: unaryModel('Neg') }, resolveConfig({}, {}))).app
    await app.ready()
  })
  after(() => app.close())

  // JSON.parse copes with any depth; the codecs' walks over nested arrays used to overflow the
  // stack on such a body, which a limit of a few KB (as above) never lets through.
  it('should refuse arrays nested 100,000 deep with a 400 on every endpoint', async () => {
    const deep = '['.repeat(100_000) + '1' + ']'.repeat(100_000)
    const bodies: Array<[string, string, 'error' | 'message']> = [
      ['/v2/models/churn/infer', `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":${deep}}]}`, 'error'],
      ['/v1/models/churn:predict', `{"instances":${deep}}`, 'error'],
      ['/v1/models/churn:predict', `{"inputs":{"x":${deep}}}`, 'error'],
      ['/invocations', `{"instances":${deep}}`, 'message'],
      ['/invocations', `{"inputs":${deep}}`, 'message'],
    ]
    for (const [url, payload, field] of bodies) {
      const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } })
      assert.equal(response.statusCode, 400, `${url} → ${response.body}`)
      assert.match(JSON.parse(response.body)[field], /nest more than 64 arrays deep/)
    }
    const fine = await app.inject({ method: 'POST', url: '/invocations', payload: JSON.stringify({ instances: [[1, 2, 3, 4]] }), headers: { 'content-type': 'application/json' } })
    assert.deepEqual(JSON.parse(fine.body), { predictions: [[-1, -2, -3, -4]] })
  })
})
