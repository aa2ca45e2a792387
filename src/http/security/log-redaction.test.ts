import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { createApp } from '../create-app.js'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { redactSecrets } from './log-redaction.js'

const SECRETS = ['hunter2-db', 'tok-query-7788', 'bearer-abc-123', 'wJalrXUtnFEMI-secret', 'AKIAABCDEFGHIJKLMNOP'.slice(4)]

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

describe('secrets never reach the log', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(() => t.close())

  it('should mask passwords in URLs, bearer tokens, secret query parameters and AWS keys', () => {
    const line = redactSecrets(
      'connect postgresql://plinth:hunter2-db@db:5432/x failed; GET /a?run=1&token=tok-query-7788&b=2 ' +
        'Authorization: Bearer bearer-abc-123 aws_secret_access_key=wJalrXUtnFEMI-secret key AKIAABCDEFGHIJKLMNOP {"password":"hunter2-db"}',
    )
    for (const secret of SECRETS) assert.ok(!line.includes(secret), `${secret} in: ${line}`)
    assert.match(line, /postgresql:\/\/plinth:\*\*\*@db:5432\/x/)
    assert.match(line, /run=1&token=\*\*\*&b=2/)
  })

  it('should keep ordinary text unchanged', () => {
    const text = 'loaded model iris v3 in 12 ms from s3://bucket/models/iris (https://example.com/a?page=2)'
    assert.equal(redactSecrets(text), text)
  })

  it('should mask what a failing request logs: its error, its URL and its headers', async () => {
    const log = capture()
    const app = await createApp(t.services, { logger: { level: 'debug', stream: log.stream } })
    app.get('/test-boom', { config: { access: 'public' } }, async (request) => {
      request.log.info({ req: { url: request.url, headers: request.headers } }, 'handling')
      throw new Error('could not reach postgresql://plinth:hunter2-db@10.0.0.5/plinth with aws_secret_access_key=wJalrXUtnFEMI-secret')
    })
    try {
      const response = await app.inject({ method: 'GET', url: '/test-boom?token=tok-query-7788', headers: { authorization: 'Bearer bearer-abc-123' } })
      assert.equal(response.statusCode, 500)
      assert.ok(!response.body.includes('hunter2-db'), 'the client is not told internals')
    } finally {
      await app.close()
    }
    const text = log.text()
    assert.match(text, /request failed/, 'the error was logged')
    assert.match(text, /postgresql:\/\/plinth:\*\*\*@10\.0\.0\.5/)
    for (const secret of SECRETS.slice(0, 4)) assert.ok(!text.includes(secret), `${secret} leaked into the log`)
  })
})
