import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCiReport, type CiReportFlags } from '../cli/ci-command.js'
import { resolveConfig } from '../config/index.js'
import { startServer, type RunningServer } from '../http/start-server.js'
import type { AppError } from '../shared/errors.js'
import { seedChurn } from './ci-fixtures.test-helper.js'

describe('plinth ci report against a server', () => {
  let folder: string
  let server: RunningServer
  let reader: string
  let runs: { championRun: string; challengerRun: string }

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-ci-server-'))
    const config = resolveConfig({ port: 0, auth: true, backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts') }, {})
    server = await startServer(config, false)
    runs = await seedChurn(server.services)
    reader = (await server.services.auth.createToken({ name: 'ci', role: 'reader' })).secret
  })
  after(async () => {
    await server.close()
    rmSync(folder, { recursive: true, force: true })
  })

  const flags = (extra: Partial<CiReportFlags> = {}): CiReportFlags => ({ challenger: 'models:/churn/2', champion: 'models:/churn@champion', ...extra })

  it('should read both sides over the API with the token from PLINTH_TOKEN, as the local store would', async () => {
    const result = await runCiReport(flags({ format: 'json' }), { PLINTH_TRACKING_URI: server.url, PLINTH_TOKEN: reader })
    const report = JSON.parse(result.text)
    assert.deepEqual(report.champion.model, { name: 'churn', version: 1, alias: 'champion' })
    assert.equal(report.challenger.run.runId, runs.challengerRun)
    assert.equal(report.challenger.run.runName, 'train-v2')
    assert.deepEqual(report.metrics.map((m: { name: string; verdict: string }) => `${m.name}:${m.verdict}`), ['accuracy:same', 'f1:better', 'latency_ms:better', 'rmse:worse'])
    assert.equal(report.metrics[1].challenger, 0.84, 'the latest value')
    assert.deepEqual(report.params.map((p: { name: string }) => p.name), ['depth', 'lr', 'seed'])
  })

  it('should link the runs and versions to the server in Markdown, and resolve runs:/ and models:/NAME/latest', async () => {
    const result = await runCiReport(flags({ challenger: `runs:/${runs.challengerRun}`, champion: 'models:/churn/latest', metrics: 'f1', failIfWorse: true }), { PLINTH_TOKEN: reader, MLFLOW_TRACKING_URI: 'http://127.0.0.1:1', PLINTH_TRACKING_URI: undefined }).catch((e: unknown) => e)
    assert.equal((result as AppError).code, 'TEMPORARILY_UNAVAILABLE', 'MLFLOW_TRACKING_URI is used when PLINTH_TRACKING_URI is unset')
    const linked = await runCiReport(flags({ challenger: `runs:/${runs.challengerRun}`, champion: 'models:/churn/2', trackingUri: server.url }), { PLINTH_TOKEN: reader })
    assert.ok(linked.text.includes(`run [\`${runs.challengerRun}\`](${server.url}/api/2.0/mlflow/runs/get?run_id=${runs.challengerRun})`), linked.text)
    assert.ok(linked.text.includes(`[version 2](${server.url}/api/plinth/v1/lineage?model=churn&version=2)`), linked.text)
    const latest = runCiReport(flags({ champion: 'models:/churn/latest' }), { PLINTH_TRACKING_URI: server.url, PLINTH_TOKEN: reader })
    await assert.rejects(latest, (e: AppError) => e.code === 'INVALID_STATE' && /^models:\/churn\/latest \(version 3\) was registered without a run/.test(e.message), 'latest is the newest version, 3')
  })

  it('should say how to authenticate when the token is missing, and name unknown aliases and runs', async () => {
    const env = { PLINTH_TRACKING_URI: server.url }
    await assert.rejects(runCiReport(flags(), env), (e: AppError) => e.code === 'UNAUTHENTICATED' && /set PLINTH_TOKEN/.test(e.message))
    const authed = { ...env, PLINTH_TOKEN: reader }
    await assert.rejects(runCiReport(flags({ champion: 'models:/churn@gold' }), authed), (e: AppError) => e.code === 'RESOURCE_DOES_NOT_EXIST' && /model 'churn' has no alias 'gold'/.test(e.message))
    await assert.rejects(runCiReport(flags({ champion: 'models:/ghost@champion' }), authed), (e: AppError) => e.code === 'RESOURCE_DOES_NOT_EXIST' && /^models:\/ghost@champion: .*ghost.*plinth models list/.test(e.message))
    await assert.rejects(runCiReport(flags({ challenger: 'abc123' }), authed), (e: AppError) => e.code === 'RESOURCE_DOES_NOT_EXIST' && /run 'abc123' not found/.test(e.message))
    await assert.rejects(runCiReport(flags({ trackingUri: 'ftp://x' }), authed), (e: AppError) => e.code === 'INVALID_PARAMETER_VALUE' && /--tracking-uri/.test(e.message))
  })
})
