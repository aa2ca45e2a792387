import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { buildUi, collectErrors, launchBrowser, screenshot, SKIP_BROWSER, startUiServer, type Browser, type UiServer } from './ui-harness.test-helper.js'
import { PIPELINE } from './ui-pipeline-seed.test-helper.js'
import { SEEDED, seedLongHistory, seedUiData, type SeededData } from './ui-seed.test-helper.js'

/**
 * Every page of the web UI in Debian's Chromium against a real server on seeded data: no console
 * error, the data on screen, and a screenshot per page in test-output/ui/ for a person to look at.
 */
describe('web UI pages in a browser', { skip: SKIP_BROWSER }, () => {
  let uiDir: string
  let workDir: string
  let server: UiServer
  let browser: Browser
  let seeded: SeededData
  let longRun: string

  before(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'plinth-ui-build-'))
    await buildUi(uiDir)
    server = await startUiServer(uiDir)
    workDir = await mkdtemp(join(tmpdir(), 'plinth-ui-work-'))
    seeded = await seedUiData(server.app, { workDir, resumePipeline: true })
    longRun = await seedLongHistory(server.app, seeded.experimentId, 'long-history', 50_000)
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.close()
    if (uiDir) await rm(uiDir, { recursive: true, force: true })
    if (workDir) await rm(workDir, { recursive: true, force: true })
  })

  const pages: Array<[string, () => string, string]> = [
    ['experiments', () => `/experiments/${seeded.experimentId}`, 'gbm-00'],
    ['run', () => `/runs/${seeded.runIds[0]}`, 'Register model'],
    ['compare', () => `/compare?runs=${seeded.runIds.slice(0, 3).join(',')},${longRun}&metrics=loss,accuracy`, 'Parameters'],
    ['models', () => '/models', SEEDED.model],
    ['model', () => `/models/${SEEDED.model}`, 'Alias history'],
    ['version', () => `/models/${SEEDED.model}/versions/1`, 'Signature'],
    ['deployments', () => '/deployments', SEEDED.deployment],
    ['deployment', () => `/deployments/${SEEDED.deployment}`, 'canary'],
    ['monitoring', () => `/monitoring/${SEEDED.deployment}`, 'Drift per feature'],
    ['pipelines', () => '/pipelines', PIPELINE],
    ['pipeline', () => `/pipelines/${PIPELINE}`, 'failed'],
    ['pipeline-run', () => `/pipeline-runs/${seeded.pipeline.failedRunId}`, 'labels are not there yet'],
    ['pipeline-run-resumed', () => `/pipeline-runs/${seeded.pipeline.resumedRunId}`, 'resumed from'],
  ]
  for (const [name, path, text] of pages) {
    it(`should show the ${name} page without console errors`, async () => {
      const page = await browser.context.newPage()
      const errors = collectErrors(page)
      await page.goto(server.url + path())
      await page.getByText(text, { exact: false }).first().waitFor({ timeout: 30_000 })
      await page.waitForLoadState('networkidle')
      assert.equal(await page.locator('[role=alert]').count(), 0, await page.locator('[role=alert]').allInnerTexts().then((t) => t.join('\n')))
      await screenshot(page, name)
      assert.deepEqual(errors, [])
      await page.close()
    })
  }

  it('should draw the long history with its spike from the downsampled endpoint', async () => {
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/compare?runs=${longRun}&metrics=loss`)
    await page.getByText('50,000 points stored').waitFor({ timeout: 30_000 })
    const answer = await page.evaluate(async (id) => (await fetch(`/api/plinth/v1/runs/metric-history?run_ids=${id}&key=loss&points=1000`)).json(), longRun)
    assert.ok(Math.max(...answer.series[0].values) === 3, 'the spike is in the series the chart draws')
    await page.close()
  })

  it('should answer a JSON 404 for an unknown API path and index.html for a UI path', async () => {
    const api = await fetch(`${server.url}/api/plinth/v1/no-such-thing`)
    assert.equal(api.status, 404)
    assert.equal((await api.json()).error_code, 'ENDPOINT_NOT_FOUND')
    const ui = await fetch(`${server.url}/models/some-model`)
    assert.equal(ui.status, 200)
    assert.equal(ui.headers.get('cache-control'), 'no-cache')
    const asset = (await ui.text()).match(/\/assets\/[^"]+\.js/)![0]
    const cached = await fetch(server.url + asset)
    assert.equal(cached.headers.get('cache-control'), 'public, max-age=31536000, immutable')
  })
})
