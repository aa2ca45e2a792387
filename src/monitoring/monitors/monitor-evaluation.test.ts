import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { detectDrift } from '../drift/detect-drift.js'
import { nextAlertState } from './alert-state.js'
import { isRetryable, retryAfterMs, retryDelayMs } from './delivery-backoff.js'
import type { Alert, DriftResult, MonitorCondition } from './monitor-entities.js'
import { evaluateCondition, quantile, toDriftFrame, toRawColumn, windowDrift, type EvaluationInput } from './monitor-evaluation.js'
import { parseMonitorSpec } from './monitor-spec.js'

const drift = (share: number, features: DriftResult['features'] = []): DriftResult => ({ features, drifted: features.filter((f) => f.drift).length, share, datasetDrift: share >= 0.5, missingColumns: [] })
const feature = (name: string, score: number, isDrift: boolean) => ({ feature: name, type: 'numerical' as const, method: 'ks' as const, score, threshold: 0.05, drift: isDrift, droppedReference: 0, droppedCurrent: 0 })
const input = (over: Partial<EvaluationInput> = {}): EvaluationInput => ({ requests: 100, errorRate: 0, latencyP99Ms: 10, drift: drift(0, [feature('a', 0.5, false)]), performance: {}, baseline: {}, ...over })
const base = { for: 1, severity: 'warning' }

describe('monitor conditions', () => {
  it('should hold drift_share at or above its threshold', () => {
    const c: MonitorCondition = { ...base, type: 'drift_share', threshold: 0.5 }
    assert.deepEqual(evaluateCondition(c, input({ drift: drift(0.5, [feature('a', 0.01, true), feature('b', 0.5, false)]) })), { key: 'drift_share', type: 'drift_share', value: 0.5, holds: true })
    assert.equal(evaluateCondition(c, input({ drift: drift(0.25, [feature('a', 0.01, true)]) })).holds, false)
    const none = evaluateCondition(c, input({ drift: null, driftNote: 'no reference' }))
    assert.deepEqual([none.value, none.holds, none.note], [null, false, 'no reference'])
  })

  it('should judge feature_drift by its feature, and say when the feature is missing', () => {
    const c: MonitorCondition = { ...base, type: 'feature_drift', feature: 'b' }
    assert.deepEqual(evaluateCondition(c, input({ drift: drift(0.5, [feature('a', 0.9, false), feature('b', 0.001, true)]) })), { key: 'feature_drift:b', type: 'feature_drift', value: 0.001, holds: true })
    assert.match(evaluateCondition(c, input()).note!, /'b' is not in both/)
  })

  it('should measure performance drops in the direction of the metric', () => {
    const acc: MonitorCondition = { ...base, type: 'performance_drop', metric: 'accuracy', maxDrop: 0.05 }
    const held = evaluateCondition(acc, input({ performance: { accuracy: { realized: 0.8 } }, baseline: { accuracy: { realized: 0.9 } } }))
    assert.equal(held.holds, true)
    assert.ok(Math.abs(held.value! - 0.1) < 1e-12)
    assert.equal(evaluateCondition(acc, input({ performance: { accuracy: { estimated: 0.88 } }, baseline: { accuracy: { realized: 0.9 } } })).holds, false)
    const mae: MonitorCondition = { ...base, type: 'performance_drop', metric: 'mae', maxDrop: 1, baseline: 2 }
    assert.equal(evaluateCondition(mae, input({ performance: { mae: { realized: 3.5 } } })).holds, true)
    assert.equal(evaluateCondition(mae, input()).value, null)
  })

  it('should check p99 latency, error rate and traffic', () => {
    assert.equal(evaluateCondition({ ...base, type: 'latency_p99', maxMs: 50 }, input({ latencyP99Ms: 51 })).holds, true)
    assert.equal(evaluateCondition({ ...base, type: 'latency_p99', maxMs: 50 }, input({ latencyP99Ms: null })).holds, false)
    assert.equal(evaluateCondition({ ...base, type: 'error_rate', max: 0.1 }, input({ errorRate: 0.2 })).holds, true)
    assert.equal(evaluateCondition({ ...base, type: 'error_rate', max: 0.1 }, input({ requests: 0, errorRate: 0 })).value, null)
    assert.deepEqual(evaluateCondition({ ...base, type: 'no_traffic', minRequests: 10 }, input({ requests: 3 })), { key: 'no_traffic', type: 'no_traffic', value: 3, holds: true })
  })
})

describe('window statistics and drift', () => {
  it('should interpolate quantiles as NumPy does', () => {
    assert.equal(quantile(Float64Array.from([1, 2, 3, 4]), 0.5), 2.5)
    assert.ok(Math.abs(quantile(Float64Array.from({ length: 100 }, (_, i) => i + 1), 0.99)! - 99.01) < 1e-9)
    assert.equal(quantile(new Float64Array(0), 0.99), null)
  })

  it('should type logged columns as pandas would', () => {
    assert.deepEqual(toRawColumn([1, 2, 3]), { kind: 'numerical', values: Float64Array.from([1, 2, 3]), integer: true })
    const withNull = toRawColumn([1.5, null])
    assert.equal(withNull.kind, 'numerical')
    assert.ok(withNull.kind === 'numerical' && Number.isNaN(withNull.values[1]!) && !withNull.integer)
    assert.deepEqual(toRawColumn(['a', true, null]), { kind: 'categorical', values: ['a', 'True', null] })
  })

  it('should match detectDrift per column and apply feature overrides', () => {
    const ref = Array.from({ length: 200 }, (_, i) => (i % 50) / 10)
    const cur = ref.map((v) => v + 2)
    const spec = parseMonitorSpec({ name: 'm', deployment: 'd', schedule: '* * * * *', window: '1h', conditions: [{ type: 'feature_drift', feature: 'b', method: 'psi', threshold: 0.3 }] })
    const result = windowDrift(toDriftFrame(new Map([['a', ref], ['b', ref], ['label', ref]])), toDriftFrame(new Map([['a', cur], ['b', ref]])), spec)
    const expected = detectDrift(toDriftFrame(new Map([['a', ref]])), toDriftFrame(new Map([['a', cur]])))
    assert.equal(result.features[0]!.score, expected.columns[0]!.score)
    assert.equal(result.features[0]!.method, expected.columns[0]!.test)
    assert.deepEqual([result.features[1]!.method, result.features[1]!.threshold, result.features[1]!.drift], ['psi', 0.3, false])
    assert.deepEqual([result.drifted, result.share, result.datasetDrift, result.missingColumns], [1, 0.5, true, ['label']])
  })
})

describe('alert state machine', () => {
  const condition: MonitorCondition = { type: 'drift_share', threshold: 0.5, for: 2, severity: 'critical' }
  const context = { monitorId: 'm', monitorName: 'watch', deployment: 'api', model: 'churn' }
  const step = (prev: Alert | undefined, holds: boolean, now: number) => nextAlertState(prev, condition, { key: 'drift_share', type: 'drift_share', value: holds ? 0.75 : 0.1, holds }, context, now, () => 'a1')

  it('should fire only after `for` consecutive runs and resolve at the first quiet run', () => {
    assert.deepEqual(step(undefined, false, 1), {})
    const first = step(undefined, true, 1)
    assert.deepEqual([first.alert!.state, first.alert!.streak, first.event], ['pending', 1, undefined])
    const second = step(first.alert, true, 2)
    assert.deepEqual([second.alert!.state, second.alert!.startedAt, second.event, second.alert!.severity], ['firing', 2, 'fired', 'critical'])
    const third = step(second.alert, true, 3)
    assert.deepEqual([third.alert!.state, third.alert!.streak, third.event, third.alert!.since], ['firing', 3, undefined, 2])
    const quiet = step(third.alert, false, 4)
    assert.deepEqual([quiet.alert!.state, quiet.alert!.resolvedAt, quiet.alert!.startedAt, quiet.event], ['resolved', 4, 2, 'resolved'])
    assert.deepEqual(step(quiet.alert, false, 5), {})
  })

  it('should not flap: a pending alert that stops holding never fires and sends nothing', () => {
    const first = step(undefined, true, 1)
    const back = step(first.alert, false, 2)
    assert.deepEqual([back.alert!.state, back.alert!.streak, back.event], ['resolved', 0, undefined])
    const again = step(back.alert, true, 3)
    assert.deepEqual([again.alert!.state, again.alert!.streak], ['pending', 1])
  })
})

describe('delivery retries', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 }
  it('should back off exponentially with equal jitter, capped', () => {
    assert.equal(retryDelayMs(1, policy, () => 0), 500)
    assert.equal(retryDelayMs(1, policy, () => 1), 1000)
    assert.equal(retryDelayMs(3, policy, () => 0.5), 3000)
    assert.equal(retryDelayMs(10, policy, () => 1), 5000)
  })

  it('should retry network errors, 5xx, 408 and 429 but not other 4xx', () => {
    for (const s of [undefined, 500, 502, 503, 408, 429]) assert.equal(isRetryable(s), true, String(s))
    for (const s of [400, 401, 404, 410, 422]) assert.equal(isRetryable(s), false, String(s))
  })

  it('should read Retry-After in seconds or as a date', () => {
    assert.equal(retryAfterMs('7', 0), 7000)
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000)
    assert.equal(retryAfterMs(null, 0), undefined)
  })
})
