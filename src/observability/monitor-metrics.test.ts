import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AggregatorRegistry, Registry } from 'prom-client'
import type { Alert, Monitor, MonitorRun } from '../monitoring/monitors/monitor-entities.js'
import { MonitorMetrics, type MonitorSnapshotSource } from './monitor-metrics.js'

const run: MonitorRun = {
  id: 'r1',
  monitorId: 'm1',
  time: 1_700_000_000_000,
  outcome: 'ok',
  results: {
    windowStart: 0,
    windowEnd: 1,
    deployment: 'churn-api',
    model: 'churn',
    requests: 10,
    rows: 10,
    errors: 0,
    errorRate: 0,
    latencyP50Ms: 1,
    latencyP99Ms: 2,
    drift: { features: [{ feature: 'x[0]', type: 'numerical', method: 'wasserstein', score: 0.25, threshold: 0.1, drift: true, droppedReference: 0, droppedCurrent: 0 }], drifted: 1, share: 1, datasetDrift: true, missingColumns: [] },
    performance: { accuracy: { realized: 0.9 } },
    conditions: [],
  },
}
const alert = { id: 'a1', monitorId: 'm1', monitorName: 'watch', deployment: 'churn-api', condition: 'drift_share', conditionType: 'drift_share', severity: 'warning', state: 'firing', streak: 1, since: 1, lastValue: 1, updatedAt: 1 } as Alert
const source: MonitorSnapshotSource = {
  list: async () => [{ id: 'm1', spec: { name: 'watch' } } as Monitor],
  latestRuns: async () => [run],
  listAlerts: async () => [alert],
}

describe('monitor gauges', () => {
  it('should report the stored run, and not multiply it by the worker count when aggregated', async () => {
    const workers = [new Registry(), new Registry()]
    for (const registry of workers) new MonitorMetrics(registry).attach(source)
    const aggregated = AggregatorRegistry.aggregate(await Promise.all(workers.map((r) => r.getMetricsAsJSON())))
    const text = await aggregated.metrics()
    assert.match(text, /plinth_drift_score\{deployment="churn-api",model="churn",feature="x\[0\]",method="wasserstein"\} 0.25\n/)
    assert.match(text, /plinth_drift_detected\{[^}]*\} 1\n/)
    assert.match(text, /plinth_dataset_drift\{deployment="churn-api",model="churn"\} 1\n/)
    assert.match(text, /plinth_drifted_features_ratio\{deployment="churn-api",model="churn"\} 1\n/)
    assert.match(text, /plinth_model_performance\{deployment="churn-api",model="churn",metric="accuracy",kind="realized"\} 0.9\n/)
    assert.match(text, /plinth_alerts_firing\{monitor="watch",condition="drift_share",deployment="churn-api"\} 1\n/)
    assert.match(text, /plinth_monitor_last_run_timestamp_seconds\{monitor="watch"\} 1700000000\n/)
  })

  it('should report nothing, not fail the scrape, when the store cannot be read', async () => {
    const registry = new Registry()
    new MonitorMetrics(registry).attach({ ...source, latestRuns: async () => Promise.reject(new Error('database down')) })
    const text = await registry.metrics()
    assert.match(text, /# TYPE plinth_drift_score gauge/)
    assert.doesNotMatch(text, /plinth_drift_score\{/)
  })
})
