import assert from 'node:assert/strict'
import { realpath, stat } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { makeTempDir, okJson, removeTempDir, startServer, type PlinthServer } from './plinth-process.test-helper.js'

/**
 * `npm start` runs `plinth server` with no flags: in an empty folder it must make its own
 * SQLite database and artifact folder under ./plinth-data and serve on localhost only.
 * Only --port is given, so the test does not collide with whatever holds port 5000.
 */
describe('plinth server with defaults in an empty folder', () => {
  let cwd: string
  let server: PlinthServer

  before(async () => {
    cwd = await realpath(await makeTempDir('npm-start'))
    server = await startServer(['--port', '0'], { cwd })
  })
  after(async () => {
    await server?.stop()
    await removeTempDir(cwd)
  })

  it('should create ./plinth-data/plinth.db and ./plinth-data/artifacts', async () => {
    assert.ok((await stat(join(cwd, 'plinth-data', 'plinth.db'))).isFile())
    assert.ok((await stat(join(cwd, 'plinth-data', 'artifacts'))).isDirectory())
    assert.ok(server.output().includes(`metadata: sqlite:///${join(cwd, 'plinth-data', 'plinth.db')}\n`), server.output())
  })

  it('should listen on 127.0.0.1 only, without auth', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(server.output(), /auth: off/)
  })

  it('should serve /health and the MLflow experiments search', async () => {
    const health = await fetch(`${server.url}/health`)
    assert.equal(health.status, 200)
    assert.equal(await health.text(), 'OK')

    const viaGet = await okJson(server.url, 'GET', '/api/2.0/mlflow/experiments/search?max_results=10')
    assert.deepEqual(viaGet.experiments.map((e: { experiment_id: string; name: string }) => [e.experiment_id, e.name]), [['0', 'Default']])
    const viaPost = await okJson(server.url, 'POST', '/api/2.0/mlflow/experiments/search', { max_results: 10 })
    assert.deepEqual(viaPost, viaGet)
  })

  it('should exit with code 0 on SIGTERM, promptly', async () => {
    const started = Date.now()
    await server.stop()
    assert.equal(server.child.exitCode, 0)
    assert.ok(Date.now() - started < 15_000, `shutdown took ${Date.now() - started} ms`)
  })
})
