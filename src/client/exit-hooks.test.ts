import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, beforeEach, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { FakeMlflowServer } from './fake-mlflow-server.test-helper.js'

const execFileAsync = promisify(execFile)
const CLIENT = new URL('./index.ts', import.meta.url).href

/**
 * The exit hooks only show in a real process ending, so each case is a child Node running a
 * tiny training script against the fake server here. execFile is async: the fake server must
 * keep answering while the child runs.
 */
async function script(body: string, trackingUri: string) {
  const source = `
    import { PlinthClient } from ${JSON.stringify(CLIENT)}
    const plinth = new PlinthClient({
      trackingUri: ${JSON.stringify(trackingUri)}, env: {}, flushIntervalMs: 60000,
    })
    const run = await plinth.startRun({ experimentName: 'exit' })
    ${body}
  `
  const started = Date.now()
  const result = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', source],
    { timeout: 30_000, env: { PATH: process.env.PATH ?? '' } },
  )
  return { ...result, elapsed: Date.now() - started }
}

describe('process exit', () => {
  let fake: FakeMlflowServer

  before(async () => {
    fake = await FakeMlflowServer.start()
  })
  after(() => fake.close())
  beforeEach(() => fake.reset())

  it('flushes open runs on beforeExit, and an idle timer does not hold the process', async () => {
    const { stderr, elapsed } = await script(
      `for (let i = 0; i < 3; i++) run.logMetric('loss', i, { step: i })
       run.logParams({ lr: 0.1 })`,
      fake.url,
    )
    assert.equal(stderr, '')
    const batches = fake.to('runs/log-batch')
    assert.equal(batches.length, 1)
    assert.equal(batches[0]!.json.metrics.length, 3)
    assert.equal(batches[0]!.json.params.length, 1)
    // The 60 s flush timer is unref'd: the child ends as soon as the data is sent.
    assert.ok(elapsed < 20_000, `child took ${elapsed} ms`)
  })

  it('warns on stderr with the number of items lost on process.exit()', async () => {
    const { stderr } = await script(
      `for (let i = 0; i < 5; i++) run.logMetric('loss', i)
       process.exit(0)`,
      fake.url,
    )
    assert.match(stderr, /plinth: 5 metric\/param\/tag item\(s\) were never sent/)
    assert.equal(fake.to('runs/log-batch').length, 0)
  })

  it('stays quiet when the run was ended', async () => {
    const { stderr } = await script(`run.logMetric('loss', 1)\nawait run.end()`, fake.url)
    assert.equal(stderr, '')
    assert.equal(fake.to('runs/update').length, 1)
  })
})
