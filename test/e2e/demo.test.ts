import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv, makeTempDir, removeTempDir, type CliResult } from './plinth-process.test-helper.js'

/**
 * `plinth demo --json` from the BUILT package (dist/cli/main.js, as `npx plinth` runs it): the
 * issue's done-when, a drift alert from a monitor starts the retraining pipeline, whose gated
 * canary is promoted or rolled back on its own.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUILT_CLI = `${ROOT}dist/cli/main.js`
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const TIMEOUT_MS = 300_000

function run(args: string[], cwd: string): Promise<CliResult> {
  const child = spawn(process.execPath, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${args.join(' ')} did not finish in ${TIMEOUT_MS} ms\n${stdout}${stderr}`))
    }, TIMEOUT_MS)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('plinth demo (built CLI)', () => {
  let result: CliResult
  let report: any
  let cwd: string

  before(async () => {
    // `npm run build`: the test checks what users run, built from the current source.
    const built = await run([TSC, '-p', 'tsconfig.build.json'], ROOT)
    assert.equal(built.code, 0, `build failed:\n${built.stdout}${built.stderr}`)
    assert.ok(existsSync(BUILT_CLI))
    cwd = await makeTempDir('demo')
    try {
      result = await run([BUILT_CLI, 'demo', '--fast', '--json'], cwd)
    } finally {
      await removeTempDir(cwd)
    }
    assert.equal(result.code, 0, `plinth demo exited ${result.code}:\n${result.stderr}\n${result.stdout}`)
    report = JSON.parse(result.stdout)
  })

  it('should fire a drift alert naming the drifted features', () => {
    assert.match(report.alert.fired_at, /^\d{4}-\d\d-\d\dT/)
    assert.ok(report.alert.drift_share >= 0.3, JSON.stringify(report.alert))
    assert.ok(report.alert.baseline_drift_share < 0.3, 'no drift before the shift')
    assert.deepEqual(report.alert.drifted_features.map((f: { feature: string }) => f.feature).sort(), ['support_calls', 'usage_gb'])
  })

  it('should have the retraining run started by the alert trigger, not by hand', () => {
    assert.equal(report.pipeline_run.trigger, 'alert')
    assert.match(report.pipeline_run.event_id, /^alert:\d+$/)
    assert.match(report.pipeline_run.reason, /^churn-drift: drift_share = /)
  })

  it('should pass the gate with the values it compared', () => {
    assert.equal(report.gate.passed, true)
    assert.equal(report.gate.conditions[0].condition, 'challenger.f1 >= champion.f1 + 0.01')
    const values = Object.fromEntries(report.gate.conditions[0].values.split(', ').map((pair: string) => pair.split('=')))
    assert.ok(Number(values['challenger.f1']) >= Number(values['champion.f1']) + 0.01, report.gate.conditions[0].values)
  })

  it('should decide the canary on its own: the new version is champion, or the rollback says why', () => {
    assert.ok(['promoted', 'rolled_back'].includes(report.outcome), `${report.outcome}: ${report.reason}`)
    if (report.outcome === 'promoted') {
      assert.equal(report.canary.decision, 'promoted')
      assert.ok(Number(report.canary.stages[0].requests) >= 5, 'the canary saw traffic')
      assert.equal(report.champion.after, report.models[1].version)
      assert.notEqual(report.champion.after, report.champion.before)
      assert.equal(report.pipeline_run.status, 'succeeded')
    } else {
      assert.equal(report.canary.decision, 'rolled_back')
      assert.match(report.reason, /rolled back/)
      assert.equal(report.champion.after, report.champion.before)
    }
  })

  it('should print each step as it finished, and where to look', () => {
    for (const step of ['train', 'evaluate', 'gate', 'register']) assert.match(result.stderr, new RegExp(`✓ ${step} `))
    assert.match(result.stderr, /[✓✗] deploy-canary /)
    assert.deepEqual(report.pipeline_run.steps.map((s: { step: string }) => s.step), ['train', 'evaluate', 'gate', 'register', 'deploy-canary', 'promote'])
    assert.match(report.links.deployment_monitoring, /\/api\/plinth\/v1\/deployments\/churn-api\/monitoring$/)
    assert.match(report.links.pipeline_run, new RegExp(`/api/plinth/v1/pipeline-runs/${report.pipeline_run.id}$`))
    assert.equal(report.workspace, null, 'the temporary workspace was removed')
  })
})
