import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createServices, type Services } from '../app/services.js'
import { resolveConfig } from '../config/index.js'
import { runCiReport, serverUriOf, WORSE_EXIT_CODE, type CiReportFlags } from '../cli/ci-command.js'
import type { AppError } from '../shared/errors.js'
import { buildCiReport } from './ci-report-builder.js'
import { seedChurn } from './ci-fixtures.test-helper.js'
import { EmbeddedRunSource } from './embedded-run-source.js'
import { REPORT_MARKER } from './markdown-report.js'

describe('plinth ci report on the local store', () => {
  let folder: string
  let storeUri: string
  let services: Services
  let source: EmbeddedRunSource
  let runs: { championRun: string; challengerRun: string }
  const noEnv = {}
  const flags = (extra: Partial<CiReportFlags>): CiReportFlags => ({ challenger: 'models:/churn@challenger', champion: 'models:/churn@champion', backendStoreUri: storeUri, ...extra })

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-ci-'))
    storeUri = `sqlite:///${join(folder, 'plinth.db')}`
    services = await createServices(resolveConfig({ backendStoreUri: storeUri, artifactsDestination: join(folder, 'artifacts') }, {}))
    source = new EmbeddedRunSource(services)
    runs = await seedChurn(services)
  })
  after(async () => {
    await services.close()
    rmSync(folder, { recursive: true, force: true })
  })

  it('should compare two model versions by their runs’ latest metrics, with directions and verdicts', async () => {
    const report = await buildCiReport(source, { challenger: 'models:/churn/2', champion: 'models:/churn@champion' })
    assert.deepEqual(report.champion.model, { name: 'churn', version: 1, alias: 'champion' })
    assert.deepEqual(report.challenger.model, { name: 'churn', version: 2 })
    assert.equal(report.challenger.run.runId, runs.challengerRun)
    assert.deepEqual(report.metrics.map((m) => [m.name, m.direction, m.verdict]), [
      ['accuracy', 'higher', 'same'],
      ['f1', 'higher', 'better'],
      ['latency_ms', 'lower', 'better'],
      ['rmse', 'lower', 'worse'],
    ])
    const f1 = report.metrics.find((m) => m.name === 'f1')!
    assert.equal(f1.champion, 0.8)
    assert.equal(f1.challenger, 0.84, 'the latest f1, not the first one logged')
    assert.ok(Math.abs(f1.deltaPct! - 5) < 1e-9)
    assert.deepEqual(report.worse, ['rmse'])
    assert.deepEqual(report.better, ['f1', 'latency_ms'])
    assert.deepEqual(report.onlyChampion, ['champion_only'])
    assert.deepEqual(report.onlyChallenger, ['challenger_only'])
  })

  it('should list the params that differ, including ones only one side set', async () => {
    const report = await buildCiReport(source, { challenger: runs.challengerRun, champion: `runs:/${runs.championRun}/model` })
    assert.deepEqual(report.params, [
      { name: 'depth', champion: null, challenger: '4' },
      { name: 'lr', champion: '0.1', challenger: '0.05' },
      { name: 'seed', champion: '1', challenger: null },
    ])
    assert.equal(report.challenger.model, undefined)
  })

  it('should let flags choose the metrics and override their direction', async () => {
    const report = await buildCiReport(source, {
      challenger: 'models:/churn@challenger',
      champion: 'models:/churn@champion',
      metrics: ['rmse', 'latency_ms'],
      directions: { higher: ['rmse'], lower: ['nothing'] },
    })
    assert.deepEqual(report.metrics.map((m) => [m.name, m.direction, m.verdict]), [['rmse', 'higher', 'better'], ['latency_ms', 'lower', 'better']])
    assert.deepEqual(report.worse, [])
  })

  it('should print Markdown with the marker, both sides, the table, params and the chart line', async () => {
    const out = join(folder, 'report', 'report.md')
    mkdirSync(join(folder, 'report'))
    const chart = join(folder, 'report', 'charts-metrics.png')
    const result = await runCiReport(flags({ out, chart }), noEnv)
    const text = readFileSync(out, 'utf8')
    assert.equal(text, result.text)
    assert.ok(text.startsWith(`${REPORT_MARKER}\n## `))
    assert.match(text, /\*\*Challenger:\*\* `models:\/churn@challenger`: version 2 of `churn`, from run `[0-9a-f]{32}` \(train-v2\)/)
    assert.match(text, /\*\*Champion:\*\* `models:\/churn@champion`: version 1 of `churn`/)
    assert.match(text, /\| metric \| champion \| challenger \| Δ \| Δ% \| change \|/)
    assert.ok(text.includes('| f1 ↑ | 0.8 | 0.84 | ▲ +0.04 | +5.00% | ✅ better |'), text)
    assert.ok(text.includes('| rmse ↓ | 0.3 | 0.33 | ▲ +0.03 | +10.00% | ❌ worse |'), text)
    assert.ok(text.includes('| latency_ms ↓ | 12 | 10 | ▼ -2 | -16.67% | ✅ better |'), text)
    assert.ok(text.includes('| accuracy ↑ | 0.9 | 0.9 | 0 | 0.00% | same |'), text)
    assert.match(text, /2 better, 1 worse, 1 unchanged\*\* \(worse: rmse\)/)
    assert.ok(text.includes('| lr | `0.1` | `0.05` |'))
    assert.ok(text.includes('| depth | _(not set)_ | `4` |'))
    assert.ok(text.includes('Only the champion logged: champion_only.'))
    assert.ok(text.trimEnd().endsWith('![metrics](charts-metrics.png)'), 'the chart is linked relative to the report')
    assert.equal(readFileSync(chart).subarray(1, 4).toString('latin1'), 'PNG')
    assert.equal(result.exitCode, 0)
  })

  it('should print JSON for scripts and exit non-zero with --fail-if-worse when a metric got worse', async () => {
    const json = await runCiReport(flags({ format: 'json', failIfWorse: true }), noEnv)
    const body = JSON.parse(json.text)
    assert.deepEqual(body.worse, ['rmse'])
    assert.equal(body.champion.run.params.lr, '0.1')
    assert.equal(body.metrics.find((m: { name: string }) => m.name === 'latency_ms').deltaPct.toFixed(4), '-16.6667')
    assert.equal(json.exitCode, WORSE_EXIT_CODE)
    const gated = await runCiReport(flags({ json: true, failIfWorse: true, metrics: 'f1,accuracy' }), noEnv)
    assert.equal(gated.exitCode, 0, 'no chosen metric got worse')
  })

  it('should use a server from the flag or the environment, and the local store when told to', () => {
    const env = { PLINTH_TRACKING_URI: 'http://plinth:5000', MLFLOW_TRACKING_URI: 'http://mlflow:5000' }
    assert.equal(serverUriOf({ challenger: 'a', champion: 'b' }, env), 'http://plinth:5000')
    assert.equal(serverUriOf({ challenger: 'a', champion: 'b' }, { MLFLOW_TRACKING_URI: 'http://mlflow:5000' }), 'http://mlflow:5000')
    assert.equal(serverUriOf({ challenger: 'a', champion: 'b', trackingUri: 'http://x:1' }, env), 'http://x:1')
    assert.equal(serverUriOf({ challenger: 'a', champion: 'b', backendStoreUri: storeUri }, env), undefined)
    assert.equal(serverUriOf({ challenger: 'a', champion: 'b' }, {}), undefined)
  })

  describe('bad input', () => {
    const fails = (request: { challenger: string; champion: string; metrics?: string[] }, code: string, message: RegExp) =>
      assert.rejects(buildCiReport(source, request), (e: AppError) => e.code === code && message.test(e.message))

    it('should name an unknown run and say how to list runs', async () => {
      await fails({ challenger: 'runs:/0123456789abcdef', champion: 'models:/churn@champion' }, 'RESOURCE_DOES_NOT_EXIST', /runs:\/0123456789abcdef: run '0123456789abcdef' not found\. List runs with: plinth runs list/)
      await fails({ challenger: 'not a run!', champion: 'models:/churn@champion' }, 'INVALID_PARAMETER_VALUE', /'not a run!' is not a run or model: write runs:\/RUN_ID/)
    })

    it('should name an unknown model, version or alias and say how to list them', async () => {
      await fails({ challenger: 'models:/nope/1', champion: 'models:/churn@champion' }, 'RESOURCE_DOES_NOT_EXIST', /^models:\/nope\/1: .*nope.*plinth models list/)
      await fails({ challenger: 'models:/churn/9', champion: 'models:/churn@champion' }, 'RESOURCE_DOES_NOT_EXIST', /^models:\/churn\/9: .*version 9.*plinth models versions churn/)
      await fails({ challenger: 'models:/churn@gold', champion: 'models:/churn@champion' }, 'RESOURCE_DOES_NOT_EXIST', /model 'churn' has no alias 'gold'\. See its versions and aliases with: plinth models versions churn.*plinth models alias set churn gold VERSION/)
      await fails({ challenger: 'models:/', champion: 'models:/churn@champion' }, 'INVALID_PARAMETER_VALUE', /Invalid model URI/)
    })

    it('should refuse a version registered without a run', async () => {
      await fails({ challenger: 'models:/churn/3', champion: 'models:/churn@champion' }, 'INVALID_STATE', /registered without a run/)
    })

    it('should say which metrics each side has when there is nothing to compare', async () => {
      await fails({ challenger: 'models:/churn/2', champion: 'models:/churn/1', metrics: ['auc'] }, 'INVALID_PARAMETER_VALUE', /Metric auc is not logged by both sides\. The champion \(models:\/churn\/1\) has: accuracy, champion_only, f1, latency_ms, rmse\. The challenger/)
      const empty = (await services.tracking.createRun({ experimentId: '0' })).info.runId
      await fails({ challenger: empty, champion: 'models:/churn/1' }, 'INVALID_PARAMETER_VALUE', /no metric in common.*The challenger \([0-9a-f]+\) has: \(none\)\./)
    })

    it('should refuse a metric in both direction flags and an unknown format before reading anything', async () => {
      await assert.rejects(runCiReport(flags({ higherIsBetter: 'f1,rmse', lowerIsBetter: 'rmse' }), noEnv), (e: AppError) => /'rmse' is in both --higher-is-better and --lower-is-better/.test(e.message))
      await assert.rejects(runCiReport(flags({ format: 'html' }), noEnv), (e: AppError) => /Unknown --format 'html': use markdown or json/.test(e.message))
    })
  })
})
