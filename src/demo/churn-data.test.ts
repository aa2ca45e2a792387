import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { churnCsv, generateChurnData } from './churn-data.js'

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

describe('generateChurnData', () => {
  it('should give the same rows for the same seed and others for another', () => {
    assert.deepEqual(generateChurnData({ rows: 50, seed: 7 }), generateChurnData({ rows: 50, seed: 7 }))
    assert.notDeepEqual(generateChurnData({ rows: 50, seed: 7 }).rows, generateChurnData({ rows: 50, seed: 8 }).rows)
  })

  it('should raise usage and support calls when shifted, with both labels present', () => {
    const before = generateChurnData({ rows: 4000, seed: 1 })
    const after = generateChurnData({ rows: 4000, seed: 2, shift: 1 })
    assert.ok(mean(after.rows.map((r) => r[3]!)) - mean(before.rows.map((r) => r[3]!)) > 25, 'usage_gb moves by about 30')
    assert.ok(mean(after.rows.map((r) => r[2]!)) - mean(before.rows.map((r) => r[2]!)) > 2.5, 'support_calls moves by about 3')
    for (const data of [before, after]) {
      const rate = mean(data.rows.map((r) => r[5]!))
      assert.ok(rate > 0.15 && rate < 0.85, `churn rate ${rate} leaves both classes to learn`)
    }
  })

  it('should write a CSV with a header and one line per row', () => {
    const csv = churnCsv(generateChurnData({ rows: 3, seed: 3 }))
    const lines = csv.trimEnd().split('\n')
    assert.equal(lines[0], 'tenure_months,monthly_charges,support_calls,usage_gb,contract_months,churned')
    assert.equal(lines.length, 4)
    assert.ok(lines.slice(1).every((l) => l.split(',').length === 6 && l.split(',').every((v) => Number.isFinite(Number(v)))))
  })
})
