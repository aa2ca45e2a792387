import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { freePort, makeTempDir, removeTempDir, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

const REQUESTS = 20

/** The `/version` request count in one scrape, summed over its label sets. */
function versionCount(exposition: string): number {
  const pattern = /^plinth_http_requests_total\{[^}]*route="\/version"[^}]*\} (\d+)$/gm
  let total = 0
  for (const match of exposition.matchAll(pattern)) total += Number(match[1])
  return total
}

/**
 * Prometheus scrapes one connection at a time, and under --workers the cluster hands each to
 * any worker: every scrape must still count the requests every worker answered.
 */
describe('/metrics under --workers 2', () => {
  let dir: string
  let server: PlinthServer | undefined

  before(async () => {
    dir = await makeTempDir('cluster-metrics')
    server = await startServer([
      '--log-level', 'warn',
      '--port', String(await freePort()),
      '--workers', '2',
      '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')),
      '--artifacts-destination', join(dir, 'artifacts'),
    ])
  })

  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should report the whole cluster\'s request count on every scrape', { timeout: 120_000 }, async () => {
    // A new connection per request, so the cluster spreads them over both workers.
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${server!.url}/version`, { headers: { connection: 'close' } })
      assert.equal(response.status, 200)
    }
    for (let scrape = 0; scrape < 6; scrape++) {
      const response = await fetch(`${server!.url}/metrics`, { headers: { connection: 'close' } })
      assert.equal(response.status, 200)
      assert.equal(versionCount(await response.text()), REQUESTS, `scrape ${scrape} did not count every worker's requests`)
    }
  })
})
