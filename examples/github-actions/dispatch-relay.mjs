#!/usr/bin/env node
// Turns Plinth monitor webhooks into GitHub `repository_dispatch` events, so a firing alert
// starts the retrain workflow. Plinth posts its own JSON shape; GitHub's dispatch API wants
// { event_type, client_payload }, so something has to translate. No dependencies: Node 20+.
//
//   GITHUB_REPOSITORY=owner/repo GITHUB_TOKEN=… RELAY_SECRET=… node dispatch-relay.mjs
//
// Environment: PORT (default 8787), HOST (default 127.0.0.1), EVENT_TYPE (default drift-alert),
// GITHUB_API_URL (default https://api.github.com, for GitHub Enterprise).
import { createServer } from 'node:http'

const env = process.env
const repository = env.GITHUB_REPOSITORY
const token = env.GITHUB_TOKEN
const secret = env.RELAY_SECRET
if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository) || !token || !secret) {
  console.error('Set GITHUB_REPOSITORY (owner/repo), GITHUB_TOKEN and RELAY_SECRET.')
  process.exit(2)
}
const api = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '')
const eventType = env.EVENT_TYPE || 'drift-alert'
const MAX_BODY = 64 * 1024

function readBody(request) {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks = []
    request.on('data', (chunk) => {
      size += chunk.length
      if (size > MAX_BODY) reject(new Error('body too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

async function dispatch(alert) {
  // client_payload may have at most 10 top-level keys; Plinth's payload has more, so it is nested.
  const response = await fetch(`${api}/repos/${repository}/dispatches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json', 'user-agent': 'plinth-dispatch-relay' },
    body: JSON.stringify({ event_type: eventType, client_payload: { alert } }),
    signal: AbortSignal.timeout(10_000),
  })
  return response.status
}

function reply(response, status, message) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }))
}

async function handle(request, response) {
  if (request.method !== 'POST') return reply(response, 405, 'POST Plinth webhooks here')
  if (request.headers['x-relay-secret'] !== secret) return reply(response, 401, 'wrong or missing x-relay-secret')
  let alert
  try {
    alert = JSON.parse(await readBody(request))
  } catch (error) {
    return error.message === 'body too large' ? reply(response, 413, 'body too large') : reply(response, 400, 'not a JSON body')
  }
  if (alert?.version !== 1 || typeof alert.state !== 'string') return reply(response, 400, 'not a Plinth webhook payload')
  // A resolution needs no retrain; answering 2xx keeps Plinth from retrying it.
  if (alert.state !== 'firing') return reply(response, 200, 'resolved: ignored')
  const status = await dispatch(alert)
  // GitHub answers 204; anything else is passed on as 502 so Plinth retries the delivery.
  if (status === 204) return reply(response, 200, `dispatched ${eventType}`)
  return reply(response, 502, `GitHub answered ${status}`)
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => reply(response, 502, String(error?.message ?? error)))
})
server.listen(Number(env.PORT ?? 8787), env.HOST || '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`relaying Plinth webhooks to ${repository} (${eventType}) on http://${address}:${port}`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)))
