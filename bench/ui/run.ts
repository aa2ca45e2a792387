/**
 * Web UI benchmark in Debian's Chromium against a Plinth server on loopback (SQLite):
 * - first page interactive: a cold browser opening an experiment of `--runs` runs (default 100,000)
 *   until it has painted its first rows (its `plinth:runs-shown` mark), and paging through it;
 * - compare view: 10 runs × `--points` steps (default 1,000,000) of `loss`, from navigation until
 *   the chart has drawn; beside it, the same data through MLflow's get-history-bulk-interval
 *   (evenly spaced steps, the peer) and one run's whole history through get-history.
 *
 *   npx tsx bench/ui/run.ts [--runs 100000] [--points 1000000] [--repeat 5]
 *
 * The data is kept in .bench-data/ui/ and re-used by the next run with the same sizes.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { createServices } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { createApp } from '../../src/http/create-app.js'
import { buildUi, launchBrowser } from '../../test/ui/ui-harness.test-helper.js'
import { fmt, percentiles, timeIt } from '../lib/stats.js'
import { seedRuns } from '../tracking/seed.js'

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, points: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '5' } } })
const RUNS = Number(args.runs)
const POINTS = Number(args.points)
const REPEAT = Number(args.repeat)
const DATA = join('.bench-data', 'ui', `${RUNS}-${POINTS}`)

async function seed(services: Awaited<ReturnType<typeof createServices>>): Promise<void> {
  const big = await services.tracking.createExperiment({ name: 'bench-100k' })
  await seedRuns(services.database, big, RUNS, (done) => process.stdout.write(`\r  runs ${done}/${RUNS}`))
  const history = await services.tracking.createExperiment({ name: 'bench-history' })
  for (let r = 0; r < 10; r++) {
    const run = await services.tracking.createRun({ experimentId: history, runName: `history-${r}` })
    const spike = Math.floor(POINTS * (0.1 + r * 0.08))
    for (let start = 0; start < POINTS; start += 1000) {
      const metrics = Array.from({ length: Math.min(1000, POINTS - start) }, (_, i) => {
        const step = start + i
        return { key: 'loss', value: step === spike ? 5 : 1 / (1 + step / 20_000) + r * 0.05 + 0.02 * Math.sin(step / 3000), timestamp: 1_700_000_000_000 + step, step }
      })
      await services.tracking.logBatch(run.info.runId, { metrics, params: [], tags: [] })
      if (start % 100_000 === 0) process.stdout.write(`\r  history run ${r + 1}/10: ${start}/${POINTS}   `)
    }
  }
  process.stdout.write('\n')
}

const WAITED: Array<[string, RegExp]> = [['script', /\/assets\/index-[^/]+\.js$/], ['experiments/search', /experiments\/search/], ['runs/search', /runs\/search/]]

/** When the page painted its first rows (its own mark, not when the driver noticed them). */
async function runsShown(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('plinth:runs-shown').length > 0, undefined, { timeout: 60_000 })
  return page.evaluate(() => performance.getEntriesByName('plinth:runs-shown')[0]!.startTime)
}

async function main(): Promise<void> {
  const fresh = !existsSync(join(DATA, 'plinth.db'))
  await mkdir(DATA, { recursive: true })
  const config = resolveConfig({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(process.cwd(), DATA, 'plinth.db')}`, artifactsDestination: join(DATA, 'artifacts') }, {})
  const services = await createServices(config)
  if (fresh) {
    console.log(`seeding ${RUNS} runs and 10 × ${POINTS} metric points into ${DATA} (kept for the next run)`)
    await seed(services)
  }
  const uiDir = await mkdtemp(join(tmpdir(), 'plinth-ui-bench-'))
  await buildUi(uiDir)
  const app = await createApp(services, { uiDir })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const big = (await services.tracking.getExperimentByName('bench-100k')).experimentId
  const historyExp = (await services.tracking.getExperimentByName('bench-history')).experimentId
  const search = await fetch(`${url}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment_ids: [historyExp], max_results: 10 }) })
  const historyRuns = ((await search.json()).runs as Array<{ info: { run_id: string } }>).map((r) => r.info.run_id)
  console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${RUNS} runs; 10 × ${POINTS} points`)

  const firstPage: number[] = []
  const breakdown: Record<string, string[]> = {}
  const firstPageSerial: number[] = []
  const firstPageDriver: number[] = []
  const nextPage: number[] = []
  const compare: number[] = []
  for (let i = 0; i < REPEAT; i++) {
    // A new browser each time: nothing cached, as for a person opening the UI for the first time.
    const browser = await launchBrowser()
    const page = await browser.context.newPage()
    await page.goto(`${url}/experiments/${big}`)
    await page.locator('tbody tr').first().waitFor({ timeout: 60_000 })
    firstPageDriver.push(await page.evaluate(() => performance.now()))
    firstPage.push(await runsShown(page))
    // What the first page waited for: when its script, the experiment list and the runs search answered.
    const waited = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => [e.name, e.startTime, e.responseEnd] as const))
    for (const [label, test] of WAITED) {
      const entry = waited.find(([name]) => test.test(name))
      if (entry) (breakdown[label] ??= []).push(`${Math.round(entry[1])}–${Math.round(entry[2])}`)
    }
    // Peer, also in a cold browser: without an id in the URL the page needs the experiment list before it can search runs.
    const peerBrowser = await launchBrowser()
    const cold = await peerBrowser.context.newPage()
    await cold.goto(`${url}/experiments`)
    await cold.locator('tbody tr').first().waitFor({ timeout: 60_000 })
    firstPageSerial.push(await runsShown(cold))
    await peerBrowser.close()
    for (let p = 0; p < 5; p++) {
      const label = `Page ${p + 2}`
      const started = Date.now()
      await page.getByRole('button', { name: 'Next' }).click()
      await page.getByText(label, { exact: true }).waitFor()
      await page.locator('[aria-busy=false]').first().waitFor()
      nextPage.push(Date.now() - started)
    }
    await page.goto(`${url}/compare?runs=${historyRuns.join(',')}&metrics=loss`)
    await page.waitForFunction(() => performance.getEntriesByName('plinth:chart-drawn:loss').length > 0, undefined, { timeout: 60_000 })
    compare.push(await page.evaluate(() => performance.getEntriesByName('plinth:chart-drawn:loss')[0]!.startTime))
    await browser.close()
  }

  const ids = historyRuns.map((id) => `run_ids=${id}`).join('&')
  const plinthApi: number[] = []
  const mlflowApi: number[] = []
  for (let i = 0; i < REPEAT; i++) {
    plinthApi.push(await timeIt(() => fetch(`${url}/api/plinth/v1/runs/metric-history?${ids}&key=loss&points=1000`).then((r) => r.json())))
    mlflowApi.push(await timeIt(() => fetch(`${url}/api/2.0/mlflow/metrics/get-history-bulk-interval?${ids}&metric_key=loss&max_results=1000`).then((r) => r.json())))
  }
  const spikeKept = (await (await fetch(`${url}/api/plinth/v1/runs/metric-history?${ids}&key=loss&points=1000`).then((r) => r.json())).series as Array<{ values: number[] }>).filter((s) => s.values.includes(5)).length
  const sampled = (await (await fetch(`${url}/api/2.0/mlflow/metrics/get-history-bulk-interval?${ids}&metric_key=loss&max_results=1000`)).json()).metrics as Array<{ value: number }>
  const fullHistory = await timeIt(async () => {
    let token = ''
    do {
      const page = await (await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${historyRuns[0]}&metric_key=loss&max_results=25000${token ? `&page_token=${token}` : ''}`)).json()
      token = page.next_page_token ?? ''
    } while (token)
  })

  const row = (name: string, samples: number[], target: string) => console.log(`| ${name} | ${fmt(percentiles(samples).p50, 0)} ms | ${fmt(Math.max(...samples), 0)} ms | ${target} |`)
  console.log('\n| measure | median | worst | target |\n|---|---:|---:|---|')
  row(`first page interactive (${RUNS.toLocaleString('en-US')} runs, cold browser)`, firstPage, '< 1,000 ms')
  row('  the same, until the driver noticed the rows (the measure before the page marked its paint)', firstPageDriver, '')
  row('  peer: /experiments without an id (experiment list, then runs search), cold browser', firstPageSerial, '')
  row('next page of 50 runs', nextPage, 'no stall')
  row(`compare 10 runs × ${POINTS.toLocaleString('en-US')} points: navigation to chart drawn`, compare, '< 1,000 ms')
  row('  its API call: /api/plinth/v1/runs/metric-history (min/max per bucket)', plinthApi, '')
  row('  peer: MLflow get-history-bulk-interval (evenly spaced steps)', mlflowApi, '')
  console.log(`| peer: one run's whole history via get-history (${POINTS.toLocaleString('en-US')} points) | ${fmt(fullHistory, 0)} ms | | |`)
  console.log(`\nratio bulk-interval / metric-history: ${fmt(percentiles(mlflowApi).p50 / percentiles(plinthApi).p50, 2)}; whole history of ONE run / metric-history of ten: ${fmt(fullHistory / percentiles(plinthApi).p50, 1)}`)
  console.log(`ratio first page without id / with id: ${fmt(percentiles(firstPageSerial).p50 / percentiles(firstPage).p50, 2)}`)
  console.log(`first page, ms after navigation (start–end of each request, per repeat): ${Object.entries(breakdown).map(([k, v]) => `${k} ${v.join(', ')}`).join('; ')}`)
  console.log(`spikes kept: metric-history ${spikeKept}/10 runs, bulk-interval ${sampled.filter((m) => m.value === 5).length}/10 runs`)
  await app.close()
  await services.close()
  await rm(uiDir, { recursive: true, force: true })
}

await main()
