import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildUi, collectErrors, launchBrowser, screenshot, SKIP_BROWSER, startUiServer, type Browser, type UiServer } from './ui-harness.test-helper.js'
import { PIPELINE } from './ui-pipeline-seed.test-helper.js'
import { callJson, SEEDED, seedUiData, sendTraffic, type SeededData } from './ui-seed.test-helper.js'

/**
 * A person's path through the UI in Chromium: find a run, compare it, register its model, set an
 * alias, watch the deployment's live traffic and roll it back; then the token sign-in with --auth.
 */
describe('web UI user flow in a browser', { skip: SKIP_BROWSER }, () => {
  let uiDir: string
  let workDir: string
  let server: UiServer
  let browser: Browser
  let seeded: SeededData

  before(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'plinth-ui-build-'))
    await buildUi(uiDir)
    server = await startUiServer(uiDir)
    workDir = await mkdtemp(join(tmpdir(), 'plinth-ui-work-'))
    seeded = await seedUiData(server.app, { runs: 12, workDir })
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await server?.close()
    if (uiDir) await rm(uiDir, { recursive: true, force: true })
    if (workDir) await rm(workDir, { recursive: true, force: true })
  })

  it('should find a run, compare it, register its model, set an alias, watch the deployment and roll it back', async () => {
    const page = await browser.context.newPage()
    const errors = collectErrors(page)
    await page.goto(`${server.url}/experiments/${seeded.experimentId}`)
    await page.getByLabel('Filter (MLflow search syntax)').fill("params.model = 'gbm' and metrics.accuracy > 0.5")
    await page.keyboard.press('Enter')
    await page.waitForURL(/filter=/)
    await page.getByRole('link', { name: 'gbm-09' }).waitFor()
    assert.deepEqual(await page.locator('tbody tr td:nth-child(2)').allInnerTexts(), ['gbm-09', 'gbm-06', 'gbm-03', 'gbm-00'])

    await page.getByLabel('Select run gbm-09').check()
    await page.getByLabel('Select run gbm-06').check()
    await page.getByRole('button', { name: 'Compare (2)' }).click()
    await page.waitForURL(/\/compare\?runs=/)
    await page.getByRole('img', { name: 'Chart: loss' }).locator('canvas').waitFor()
    await screenshot(page, 'flow-compare')

    await page.getByRole('link', { name: 'gbm-09' }).click()
    await page.getByLabel('Model name').fill('churn-flow')
    await page.getByRole('button', { name: 'Register model' }).click()
    await page.getByRole('link', { name: 'churn-flow version 1' }).click()
    await page.getByRole('heading', { name: 'Signature' }).waitFor()
    await page.getByRole('link', { name: 'churn-flow' }).click()

    await page.getByLabel('Alias', { exact: true }).fill('champion')
    await page.getByRole('button', { name: 'Set alias' }).click()
    await page.getByText('@champion now points at version 1.').waitFor()
    assert.equal(await page.locator('section:has(h2:text("Alias history")) tbody tr').count(), 1)
    await screenshot(page, 'flow-model')

    const traffic = (async () => {
      for (let i = 0; i < 30; i++) await sendTraffic(server.app, `flow-${i}`, 5, 0)
    })()
    await page.goto(`${server.url}/deployments/${SEEDED.deployment}`)
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=request-rate]')?.textContent?.replace(/,/g, '')) > 0, undefined, { timeout: 30_000 })
    await traffic
    await screenshot(page, 'flow-deployment')

    page.once('dialog', (dialog) => void dialog.accept())
    await page.getByRole('button', { name: 'Roll back', exact: true }).click()
    await page.getByText('Rolled back: revision 3 now routes all traffic to churn@champion.').waitFor()
    const { deployment } = await callJson(server.app, 'GET', `/api/plinth/v1/deployments/${SEEDED.deployment}`)
    assert.deepEqual(deployment.routes, [{ model: SEEDED.model, alias: 'champion', weight: 100 }])
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('should show a failed pipeline run, its log, and re-run it from the failed step and then from a chosen step', async () => {
    const page = await browser.context.newPage()
    const errors = collectErrors(page)
    const step = (name: string, status: string) => page.getByRole('button', { name: `Step ${name}: ${status}` })
    await page.goto(`${server.url}/pipelines`)
    await page.getByRole('link', { name: PIPELINE }).waitFor()
    await page.getByRole('cell').getByText('failed').first().waitFor()
    await page.locator(`a[href="/pipeline-runs/${seeded.pipeline.failedRunId}"]`).click()
    for (const [name, status] of [['prepare', 'succeeded'], ['train', 'failed'], ['evaluate', 'skipped'], ['report', 'succeeded']]) await step(name!, status!).waitFor()
    await page.getByLabel('Log of train').getByText('labels are not there yet').waitFor()
    await step('prepare', 'succeeded').click()
    await page.getByLabel('Log of prepare').getByText('preparing 1000 rows').waitFor()
    await screenshot(page, 'flow-pipeline-failed')

    await writeFile(seeded.pipeline.readyFile, 'ok\n')
    await page.getByRole('button', { name: 'Re-run from failed step' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/pipeline-runs/') && !url.pathname.endsWith(seeded.pipeline.failedRunId))
    const resumedId = page.url().split('/').at(-1)!
    for (const [name, status] of [['prepare', 'cached'], ['train', 'succeeded'], ['evaluate', 'succeeded'], ['report', 'cached']]) await step(name!, status!).waitFor({ timeout: 30_000 })
    await page.getByText('succeeded', { exact: true }).first().waitFor()
    await step('evaluate', 'succeeded').click()
    await page.getByLabel('Log of evaluate').getByText('evaluated: f1 0.91').waitFor()
    await page.getByRole('button', { name: 'Re-run from evaluate' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/pipeline-runs/') && !url.pathname.endsWith(resumedId))
    for (const [name, status] of [['prepare', 'cached'], ['train', 'cached'], ['evaluate', 'succeeded'], ['report', 'cached']]) await step(name!, status!).waitFor({ timeout: 30_000 })
    await screenshot(page, 'flow-pipeline-rerun')
    const { run, steps } = await callJson(server.app, 'GET', `/api/plinth/v1/pipeline-runs/${page.url().split('/').at(-1)}`)
    assert.equal(run.resumed_from, resumedId)
    assert.deepEqual(run.trigger.payload, { resumedFrom: resumedId, fromStep: 'evaluate' })
    assert.equal(steps.find((s: { name: string }) => s.name === 'evaluate').attempts[0].cached_from, null)
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('should ask for a token when the server requires one and show pages after sign-in', async () => {
    const secured = await startUiServer(uiDir, { auth: true })
    try {
      const { secret } = await secured.services.auth.createToken({ name: 'browser', role: 'reader' })
      const page = await browser.context.newPage()
      await page.goto(`${secured.url}/models`)
      await page.getByRole('heading', { name: 'Sign in to Plinth' }).waitFor()
      await screenshot(page, 'sign-in')
      await page.getByLabel('API token').fill(secret)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByText('No registered models yet.').waitFor()

      // A download link cannot send the token: the page fetches with it and saves a blob instead.
      const { secret: editor } = await secured.services.auth.createToken({ name: 'seed', role: 'editor' })
      const runId = await runWithArtifact(secured.app, editor, 'notes.txt', 'signed-in download\n')
      assert.equal((await fetch(`${secured.url}/get-artifact?run_id=${runId}&path=notes.txt`)).status, 401, 'the plain link alone is refused')
      await page.goto(`${secured.url}/runs/${runId}`)
      await page.getByRole('button', { name: 'notes.txt' }).click()
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('link', { name: 'Download' }).click()])
      assert.equal(download.suggestedFilename(), 'notes.txt')
      assert.equal(await readFile((await download.path())!, 'utf8'), 'signed-in download\n')
      await page.close()
    } finally {
      await secured.close()
    }
  })
})

/** A run with one text artifact, written through the API with an editor's token. */
async function runWithArtifact(app: FastifyInstance, token: string, name: string, text: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const call = async (url: string, body: unknown) => JSON.parse((await app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) })).body)
  const { experiment_id } = await call('/api/2.0/mlflow/experiments/create', { name: 'secured' })
  const { run } = await call('/api/2.0/mlflow/runs/create', { experiment_id })
  const path = `${String(run.info.artifact_uri).replace(/^mlflow-artifacts:\/+/, '')}/${name}`
  const put = await app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, payload: Buffer.from(text) })
  assert.equal(put.statusCode, 200, put.body)
  return run.info.run_id as string
}
