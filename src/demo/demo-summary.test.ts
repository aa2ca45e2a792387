import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { StepAttempt } from '../pipelines/pipeline-store.js'
import { featureName, outcomeOf, type DemoReport } from './demo-report.js'
import { formatSummary } from './demo-summary.js'

function attempt(step: string, status: StepAttempt['status'], error: string | null = null): StepAttempt {
  return { runId: 'r', step, attempt: 1, status, cacheKey: null, cachedFrom: null, readyAt: 0, startedAt: 1000, endedAt: 3500, exitCode: null, error, outputParams: {}, outputArtifacts: {}, metrics: {}, logUri: null, trackingRunId: `m-${step}`, worker: null }
}

function report(overrides: Partial<DemoReport> = {}): DemoReport {
  return {
    outcome: 'promoted',
    reason: null,
    seconds: 21.4,
    workspace: null,
    server: 'http://127.0.0.1:4000',
    traffic: { requests: 700, rows: 4000, failed: 0, labelled: 280 },
    models: [
      { version: 1, f1_at_training: 0.683, f1_on_drifted_holdout: 0.747, source_run: 'run1' },
      { version: 2, f1_at_training: 0.862, f1_on_drifted_holdout: 0.835, source_run: 'run2' },
    ],
    champion: { before: 1, after: 2 },
    alert: { id: 'a1', monitor: 'churn-drift', fired_at: '2026-11-29T10:04:00.301Z', drift_share: 0.4, baseline_drift_share: 0, drifted_features: [{ feature: 'support_calls', column: 'input[2]', method: 'wasserstein', score: 1.629 }] },
    pipeline_run: { id: 'p1', status: 'succeeded', trigger: 'alert', event_id: 'alert:1', reason: 'churn-drift: drift_share = 0.4', mlflow_run: 'mp', steps: [{ step: 'train', status: 'succeeded', seconds: 2.5, error: null, mlflow_run: 'm-train' }] },
    gate: { passed: true, conditions: [{ condition: 'challenger.f1 >= champion.f1 + 0.01', values: 'challenger.f1=0.835, champion.f1=0.747' }] },
    canary: { decision: 'promoted', stages: [{ weight: '20', requests: '16', error_rate: '0', p99_ms: '4.2' }] },
    links: { pipeline_run: 'http://127.0.0.1:4000/api/plinth/v1/pipeline-runs/p1' },
    ...overrides,
  }
}

describe('demo summary', () => {
  it('should tell a promotion: versions with f1 before and after, the alert, each step, gate values, canary stages and where to look', () => {
    const text = formatSummary(report())
    assert.match(text, /^Plinth demo: the loop completed: churn v2 was promoted to champion on its own \(21\.4 s\)\./)
    assert.match(text, /v1 {2}at training 0\.683 {2}on the drifted holdout 0\.747/)
    assert.match(text, /champion: v1 -> v2/)
    assert.match(text, /churn-drift fired at 2026-11-29T10:04:00\.301Z: drift share 0\.400 \(before the drift: 0\.000\)/)
    assert.match(text, /drifted: support_calls \(input\[2\], wasserstein 1\.629\)/)
    assert.match(text, /started by trigger 'alert' \(event alert:1/)
    assert.match(text, /train {10}succeeded 2\.5 s/)
    assert.match(text, /challenger\.f1 >= champion\.f1 \+ 0\.01 {2}\(challenger\.f1=0\.835, champion\.f1=0\.747\)/)
    assert.match(text, /Canary: promoted\n {2}20%: 16 requests, error rate 0, p99 4\.2 ms/)
    assert.match(text, /pipeline run +http:\/\/127\.0\.0\.1:4000\/api\/plinth\/v1\/pipeline-runs\/p1/)
    assert.doesNotMatch(text, /workspace \(kept\)/)
  })

  it('should tell a rollback with its reason, and name a kept workspace with the command to reopen it', () => {
    const text = formatSummary(report({ outcome: 'rolled_back', reason: 'Canary of churn/2 rolled back: 0 requests', champion: { before: 1, after: 1 }, workspace: '/tmp/ws', canary: { decision: 'rolled_back', stages: [] } }))
    assert.match(text, /^Plinth demo: the loop completed: the canary rolled back on its own and v1 stays champion/)
    assert.match(text, /Canary: rolled_back\n {2}Canary of churn\/2 rolled back: 0 requests/)
    assert.match(text, /workspace \(kept\) +\/tmp\/ws\n +plinth server --backend-store-uri sqlite:\/\/\/\/tmp\/ws\/plinth\.db --artifacts-destination \/tmp\/ws\/artifacts --port 4000/)
  })

  it('should say the loop did not complete, and why', () => {
    assert.match(formatSummary(report({ outcome: 'failed', reason: "step 'gate' failed: Gate failed" })), /^Plinth demo: the loop did not complete \(21\.4 s\): step 'gate' failed: Gate failed/)
  })
})

describe('demo outcome', () => {
  const done = ['train', 'evaluate', 'gate', 'register', 'deploy-canary'].map((s) => attempt(s, 'succeeded'))

  it('should call a run that promoted "promoted"', () => {
    assert.deepEqual(outcomeOf([...done, attempt('promote', 'succeeded')], 'succeeded'), { outcome: 'promoted', reason: null })
  })

  it('should call a canary that rolled back on its own a completed loop, with the reason', () => {
    const rolled = [...done.slice(0, 4), attempt('deploy-canary', 'failed', 'Canary of churn/2 on churn-api rolled back: too few requests'), attempt('promote', 'skipped')]
    assert.deepEqual(outcomeOf(rolled, 'failed'), { outcome: 'rolled_back', reason: 'Canary of churn/2 on churn-api rolled back: too few requests' })
  })

  it('should call any other failure "failed", naming the step', () => {
    const gated = [...done.slice(0, 2), attempt('gate', 'failed', 'Gate failed: 1 of 1 conditions false.'), attempt('register', 'skipped')]
    assert.deepEqual(outcomeOf(gated, 'failed'), { outcome: 'failed', reason: "step 'gate' failed: Gate failed: 1 of 1 conditions false." })
  })

  it('should name logged input columns by the churn features', () => {
    assert.equal(featureName('input[2]'), 'support_calls')
    assert.equal(featureName('probabilities[1]'), 'probabilities[1]')
  })
})
