import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { Alert } from '../../src/monitoring/monitors/monitor-entities.js'
import { webhookPayload } from '../../src/monitoring/monitors/notification-payloads.js'

/**
 * The example relay from Plinth monitor webhooks to GitHub's repository_dispatch, run as its own
 * process against a local stand-in for GitHub's dispatch endpoint, fed Plinth's real payload.
 */
const RELAY = fileURLToPath(new URL('../../examples/github-actions/dispatch-relay.mjs', import.meta.url))

interface Received { url: string; authorization?: string; body: any }

const firing: Alert = {
  id: 'a1', monitorId: 'm1', monitorName: 'churn-drift', deployment: 'churn-api', model: 'churn', condition: 'drift_share',
  conditionType: 'drift_share', severity: 'warning', state: 'firing', streak: 2, since: 1_000, startedAt: 1_000, lastValue: 0.75, updatedAt: 2_000,
}

describe('examples/github-actions/dispatch-relay.mjs', () => {
  let github: Server
  let relay: ChildProcess
  let relayUrl: string
  const received: Received[] = []
  let githubStatus = 204

  before(async () => {
    github = createServer((request, response) => {
      let body = ''
      request.on('data', (c: Buffer) => (body += c.toString()))
      request.on('end', () => {
        received.push({ url: request.url!, authorization: request.headers.authorization, body: JSON.parse(body) })
        response.writeHead(githubStatus).end()
      })
    })
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve))
    const api = `http://127.0.0.1:${(github.address() as AddressInfo).port}`
    relay = spawn(process.execPath, [RELAY], {
      env: { PATH: process.env.PATH, PORT: '0', GITHUB_REPOSITORY: 'acme/churn', GITHUB_TOKEN: 'test-token', RELAY_SECRET: 's3', GITHUB_API_URL: api },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    relayUrl = await new Promise<string>((resolve, reject) => {
      relay.stdout!.on('data', (chunk: Buffer) => {
        const match = /on (http:\/\/\S+)/.exec(chunk.toString())
        if (match) resolve(match[1]!)
      })
      relay.on('exit', (code) => reject(new Error(`relay exited with ${code}`)))
    })
  })
  after(async () => {
    relay.kill('SIGTERM')
    await new Promise<void>((resolve) => github.close(() => resolve()))
  })

  const post = (body: unknown, secret = 's3') =>
    fetch(relayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-relay-secret': secret }, body: JSON.stringify(body) })

  it('should dispatch a firing alert as drift-alert with the whole Plinth payload under client_payload.alert', async () => {
    const payload = webhookPayload(firing, 'http://plinth:5000', 3_000)
    const response = await post(payload)
    assert.equal(response.status, 200)
    assert.equal(received.length, 1)
    assert.equal(received[0]!.url, '/repos/acme/churn/dispatches')
    assert.equal(received[0]!.authorization, 'Bearer test-token')
    assert.deepEqual(received[0]!.body, { event_type: 'drift-alert', client_payload: { alert: JSON.parse(JSON.stringify(payload)) } })
    assert.ok(Object.keys(received[0]!.body.client_payload).length <= 10, 'GitHub allows 10 top-level client_payload keys')
  })

  it('should answer a resolution without dispatching, and refuse a wrong secret or a body that is not Plinth’s', async () => {
    const before = received.length
    assert.equal((await post(webhookPayload({ ...firing, state: 'resolved', resolvedAt: 5_000 }, 'http://plinth:5000', 5_000))).status, 200)
    assert.equal((await post(webhookPayload(firing, 'http://plinth:5000', 3_000), 'wrong')).status, 401)
    assert.equal((await post({ hello: 'world' })).status, 400)
    assert.equal(received.length, before)
  })

  it('should answer 502 when GitHub refuses, so Plinth retries the delivery', async () => {
    githubStatus = 422
    try {
      assert.equal((await post(webhookPayload(firing, 'http://plinth:5000', 3_000))).status, 502)
    } finally {
      githubStatus = 204
    }
  })
})
