import assert from 'node:assert/strict'
import { Agent, request, type IncomingMessage } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { resolveConfig } from '../config/index.js'
import { startServer, type RunningServer } from './start-server.js'

const ARTIFACT_BYTES = 16 * 1024 * 1024

describe('startServer close', () => {
  let folder: string
  let server: RunningServer

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-start-server-'))
    const config = resolveConfig({ port: 0, backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts') }, {})
    server = await startServer(config, false)
  })
  after(async () => {
    await server.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should finish closing soon after a response that was in flight at close ends', { timeout: 60_000 }, async () => {
    const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/big.bin`, { method: 'PUT', body: Buffer.alloc(ARTIFACT_BYTES, 1) })
    assert.equal(upload.status, 200)

    // A keep-alive connection whose download is still being written when close is called: the
    // client holds off reading, so the server cannot finish the response before close starts.
    const agent = new Agent({ keepAlive: true })
    const { port } = new URL(server.url)
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/api/2.0/mlflow-artifacts/artifacts/big.bin', agent }, resolve).on('error', reject).end()
    })
    response.pause()
    const closed = server.close()
    let received = 0
    response.on('data', (chunk: Buffer) => (received += chunk.length))
    const bodyEnd = new Promise<number>((resolve) => response.once('end', () => resolve(Date.now())))
    response.resume()
    const ended = await bodyEnd
    assert.equal(received, ARTIFACT_BYTES, 'the in-flight download was cut short')

    await closed
    const lingered = Date.now() - ended
    agent.destroy()
    assert.ok(lingered < 5_000, `close took ${lingered} ms after the last response ended`)
  })
})
