import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PlinthMetrics } from '../../observability/metrics-registry.js'
import { clusterCostLines, costReport, parseSamples } from './cost-exposition.js'
import { CostTracker } from './cost-tracker.js'

/** A CPU clock the test moves by hand, in seconds. */
function fakeCpu() {
  let micros = 0
  return {
    advance: (seconds: number) => void (micros += seconds * 1e6),
    usage: () => ({ user: micros * 0.75, system: micros * 0.25 }),
  }
}

function tracker(price: number) {
  const metrics = new PlinthMetrics({ processMetrics: false })
  const cpu = fakeCpu()
  const cost = new CostTracker({ metrics, pricePerCoreHour: price, cpuUsage: cpu.usage, now: () => 1_700_000_000_000 })
  return { metrics, cpu, cost }
}

describe('CostTracker', () => {
  it('should apportion each interval\'s process CPU to the pairs that worked in it', async () => {
    const { metrics, cpu, cost } = tracker(0.36)
    cost.served('churn/3', 'prod', 3, 1, true)
    cost.served('churn/3', 'canary', 1, 0, true)
    cost.batch('churn/3', 7)
    cpu.advance(1.2)
    cost.sample()
    // Idle: no work, so this CPU goes to nobody.
    cpu.advance(0.5)
    cost.sample()
    const rows = Object.fromEntries(cost.snapshot().map((r) => [r.deployment, r]))
    // Weights: prod 1 + 7·3/4 = 6.25, canary 7·1/4 = 1.75; of 8.
    assert.ok(Math.abs(rows.prod!.cpuSeconds - (1.2 * 6.25) / 8) < 1e-12)
    assert.ok(Math.abs(rows.canary!.cpuSeconds - (1.2 * 1.75) / 8) < 1e-12)
    assert.equal(rows.prod!.predictions, 3)
    assert.ok(Math.abs(cost.unattributedSeconds - 0.5) < 1e-12)

    const report = costReport(await metrics.registry.metrics())
    assert.equal(report.pricePerCoreHour, 0.36)
    assert.equal(report.sinceSeconds, 1_700_000_000)
    const prod = report.rows.find((r) => r.deployment === 'prod')!
    assert.equal(prod.model, 'churn')
    assert.equal(prod.version, '3')
    assert.equal(prod.predictions, 3)
    assert.ok(Math.abs(prod.costPer1000! - (((1.2 * 6.25) / 8 / 3600) * 0.36 * 1000) / 3) < 1e-12)
    // The gauge in /metrics says the same.
    const gauge = parseSamples(await metrics.registry.metrics(), new Set(['plinth_cost_per_1000_predictions']))
    assert.ok(Math.abs(gauge.find((s) => s.labels.deployment === 'prod')!.value - prod.costPer1000!) < 1e-12)
  })

  it('should count mirrored and failed requests as work but not as predictions', () => {
    const { cpu, cost } = tracker(0)
    cost.served('churn/4', 'prod', 2, 0.5, false)
    cost.batch('churn/4', 1.5)
    cpu.advance(0.1)
    cost.sample()
    const [row] = cost.snapshot()
    assert.equal(row!.predictions, 0)
    assert.ok(Math.abs(row!.cpuSeconds - 0.1) < 1e-12)
  })

  it('should export no cost gauge without a price, and CPU figures anyway', async () => {
    const { metrics, cpu, cost } = tracker(0)
    cost.served('churn/3', '', 1, 1, true)
    cpu.advance(0.01)
    const text = await metrics.registry.metrics()
    assert.equal(parseSamples(text, new Set(['plinth_cost_per_1000_predictions'])).length, 0)
    const [row] = costReport(text).rows
    assert.equal(row!.costPer1000, undefined)
    assert.ok(Math.abs(row!.cpuSecondsPer1000! - 10) < 1e-9)
  })

  it('should derive the cluster gauge from summed counters, not from summed ratios', () => {
    // Two workers' sums: worker A 1 s for 1,000 rows, worker B 3 s for 1,000 rows.
    const summed = [
      '# TYPE plinth_model_cpu_seconds_total counter',
      'plinth_model_cpu_seconds_total{model="a \\"q\\"",version="1",deployment="prod"} 4',
      'plinth_model_predictions_total{model="a \\"q\\"",version="1",deployment="prod"} 2000',
      'plinth_cost_price_per_core_hour 3.6',
      '',
    ].join('\n')
    const lines = clusterCostLines(summed)
    const [sample] = parseSamples(lines, new Set(['plinth_cost_per_1000_predictions']))
    assert.equal(sample!.labels.model, 'a "q"')
    // 4 s = 1/900 core-hour × 3.6 = 0.004 for 2,000 → 0.002 per 1,000.
    assert.ok(Math.abs(sample!.value - 0.002) < 1e-15)
  })
})

describe('CostTracker with run time no request claimed', () => {
  it('should charge a batch that began in the previous interval to deployment \'\'', () => {
    const { cpu, cost } = tracker(0)
    cost.batch('fraud/2', 3)
    cpu.advance(0.2)
    cost.sample()
    const [row, ...rest] = cost.snapshot()
    assert.deepEqual(rest, [])
    assert.deepEqual({ ...row, cpuSeconds: Number(row!.cpuSeconds.toFixed(12)) }, { model: 'fraud', version: '2', deployment: '', cpuSeconds: 0.2, predictions: 0 })
  })
})
