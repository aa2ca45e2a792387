import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { monitorSpecToWire, parseMonitorSpec } from './monitor-spec.js'
import { formatDuration, nextRunAfter, parseDuration } from './schedule.js'

const valid = {
  name: 'churn-drift',
  deployment: 'churn-api',
  schedule: { every: '5m' },
  window: '1h',
  conditions: [
    { type: 'drift_share', threshold: 0.3, for: 2 },
    { type: 'feature_drift', feature: 'x[0]', method: 'psi', threshold: 0.2 },
    { type: 'latency_p99', max_ms: 250, severity: 'critical' },
    { type: 'error_rate', max: 0.05 },
    { type: 'no_traffic', min_requests: 10 },
    { type: 'performance_drop', metric: 'accuracy', max_drop: 0.05, baseline: 0.9 },
  ],
  notifications: { webhooks: [{ url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer t' } }], alertmanager: { url: 'http://alertmanager:9093' } },
}

function fieldOf(input: unknown): string | undefined {
  try {
    parseMonitorSpec(input)
  } catch (error) {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.ok(error.message.startsWith(`${(error.details?.field as string) || 'monitor'}: `), error.message)
    return error.details?.field as string
  }
  return undefined
}

describe('monitor spec', () => {
  it('should parse a full spec and round-trip it through the wire shape', () => {
    const spec = parseMonitorSpec(valid)
    assert.deepEqual(spec.target, { deployment: 'churn-api' })
    assert.deepEqual(spec.schedule, { everyMs: 300_000 })
    assert.equal(spec.windowMs, 3_600_000)
    assert.deepEqual(spec.reference, { kind: 'version' })
    assert.equal(spec.conditions[0]!.for, 2)
    assert.equal(spec.conditions[2]!.severity, 'critical')
    assert.equal(spec.conditions[3]!.severity, 'warning')
    assert.deepEqual(parseMonitorSpec(monitorSpecToWire(spec)), spec)
  })

  it('should accept a cron string, a model@alias target and a reference window', () => {
    const spec = parseMonitorSpec({ ...valid, deployment: undefined, model: 'churn@champion', schedule: '*/10 * * * *', reference: { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' }, conditions: [{ type: 'performance_drop', metric: 'f1', max_drop: 0.1 }] })
    assert.deepEqual(spec.target, { model: 'churn', alias: 'champion' })
    assert.deepEqual(spec.schedule, { cron: '*/10 * * * *' })
    assert.deepEqual(spec.reference, { kind: 'window', start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2026-01-08T00:00:00Z') })
  })

  it('should name the field that is wrong', () => {
    assert.equal(fieldOf({ ...valid, name: 'bad name' }), 'name')
    assert.equal(fieldOf({ ...valid, deployment: undefined }), 'deployment')
    assert.equal(fieldOf({ ...valid, model: 'x' }), 'deployment')
    assert.equal(fieldOf({ ...valid, schedule: 'every five minutes' }), 'schedule')
    assert.equal(fieldOf({ ...valid, schedule: { every: '5 minutes' } }), 'schedule.every')
    assert.equal(fieldOf({ ...valid, window: '0s' }), 'window')
    assert.equal(fieldOf({ ...valid, window: 100 }), 'window')
    assert.equal(fieldOf({ ...valid, conditions: [] }), 'conditions')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'drift_share', threshold: 1.5 }] }), 'conditions[0].threshold')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'nope' }] }), 'conditions[0].type')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'feature_drift', feature: 'a', method: 'tt' }] }), 'conditions[0].method')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'error_rate', max: 0.1, for: 0 }] }), 'conditions[0].for')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'error_rate', max: 0.1, maximum: 2 }] }), 'conditions[0].maximum')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'performance_drop', metric: 'f1', max_drop: 0.1 }] }), 'conditions[0].baseline')
    assert.equal(fieldOf({ ...valid, conditions: [{ type: 'error_rate', max: 0.1 }, { type: 'error_rate', max: 0.2 }] }), 'conditions[1]')
    assert.equal(fieldOf({ ...valid, notifications: { webhooks: [{ url: 'ftp://x' }] } }), 'notifications.webhooks[0].url')
    assert.equal(fieldOf({ ...valid, notifications: { webhooks: [{ url: 'http://x', headers: { 'bad header': 'v' } }] } }), 'notifications.webhooks[0].headers.bad header')
    assert.equal(fieldOf({ ...valid, reference: { uri: 'runs:/abc/model.onnx' } }), 'reference.uri')
    assert.equal(fieldOf({ ...valid, reference: { start: 'yesterday', end: 5 } }), 'reference.start')
    assert.equal(fieldOf({ ...valid, reference: { start: 10, end: 5 } }), 'reference.end')
    assert.equal(fieldOf({ ...valid, typo: 1 }), 'typo')
    assert.equal(fieldOf([1, 2]), '')
  })
})

describe('schedules', () => {
  it('should parse durations and print them back', () => {
    assert.equal(parseDuration('5m'), 300_000)
    assert.equal(parseDuration('1.5h'), 5_400_000)
    assert.equal(parseDuration('250ms'), 250)
    assert.equal(parseDuration('1d'), 86_400_000)
    for (const bad of ['', '5', 'm', '-1h', '1y', '0s']) assert.equal(parseDuration(bad), undefined, bad)
    assert.equal(formatDuration(5_400_000), '90m')
    assert.equal(formatDuration(86_400_000), '1d')
  })

  it('should compute the next run from a cron in UTC or an interval', () => {
    const at = Date.parse('2026-03-01T10:07:30Z')
    assert.equal(nextRunAfter({ cron: '*/5 * * * *' }, at), Date.parse('2026-03-01T10:10:00Z'))
    assert.equal(nextRunAfter({ cron: '0 3 * * *' }, at), Date.parse('2026-03-02T03:00:00Z'))
    assert.equal(nextRunAfter({ everyMs: 60_000 }, at), at + 60_000)
  })
})
