import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { apportion, costPer1000, cpuSecondsPer1000, pairId, workWeights } from './cost-attribution.js'

describe('cost attribution', () => {
  it('should split a version\'s run time among its deployments by rows and add decode time', () => {
    const weights = workWeights(
      [
        { key: 'churn/3', deployment: 'prod', rows: 30, decodeMs: 2 },
        { key: 'churn/3', deployment: 'canary', rows: 10, decodeMs: 1 },
        { key: 'fraud/1', deployment: '', rows: 5, decodeMs: 0.5 },
      ],
      [
        { key: 'churn/3', runMs: 40 },
        { key: 'fraud/1', runMs: 10 },
      ],
    )
    assert.equal(weights.get(pairId('churn/3', 'prod')), 2 + 30)
    assert.equal(weights.get(pairId('churn/3', 'canary')), 1 + 10)
    assert.equal(weights.get(pairId('fraud/1', '')), 10.5)
    assert.equal(weights.size, 3)
  })

  it('should keep run time with no rows recorded under deployment \'\'', () => {
    const weights = workWeights([], [{ key: 'churn/3', runMs: 7 }])
    assert.deepEqual([...weights], [[pairId('churn/3', ''), 7]])
  })

  it('should apportion CPU in proportion to weights, summing to the whole', () => {
    const weights = new Map([['a', 30], ['b', 10]])
    const { cpuSeconds, unattributedSeconds } = apportion(2, weights)
    assert.equal(cpuSeconds.get('a'), 1.5)
    assert.equal(cpuSeconds.get('b'), 0.5)
    assert.equal(unattributedSeconds, 0)
  })

  it('should leave the CPU of an interval with no model work unattributed', () => {
    const { cpuSeconds, unattributedSeconds } = apportion(0.25, new Map())
    assert.equal(cpuSeconds.size, 0)
    assert.equal(unattributedSeconds, 0.25)
  })

  it('should never attribute negative CPU', () => {
    const { cpuSeconds } = apportion(-1, new Map([['a', 1]]))
    assert.equal(cpuSeconds.get('a'), 0)
  })

  it('should price 1,000 predictions as core-hours × price ÷ predictions × 1,000', () => {
    // 36 CPU seconds = 0.01 core-hours; at 0.05 a core-hour that is 0.0005 for 2,000 predictions.
    assert.equal(costPer1000(36, 2000, 0.05), 0.00025)
    assert.equal(cpuSecondsPer1000(36, 2000), 18)
  })

  it('should give no cost without predictions or without a price', () => {
    assert.equal(costPer1000(36, 0, 0.05), undefined)
    assert.equal(costPer1000(36, 2000, 0), undefined)
    assert.equal(cpuSecondsPer1000(1, 0), undefined)
  })
})
