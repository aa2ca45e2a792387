import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { csvToDriftFrame } from './csv-frame.js'
import { detectDrift, type DriftFrame } from './detect-drift.js'
import { syntheticCsv } from './drift-test-data.test-helper.js'
import { featureChart, renderDriftHtml } from './html-report.js'

function page(ref: DriftFrame, cur: DriftFrame): string {
  const report = detectDrift(ref, cur)
  const charts = new Map([...ref].map(([name, col]) => [name, featureChart(name, col, cur.get(name)!)]))
  return renderDriftHtml({ report, charts, referenceName: 'ref.csv', currentName: 'cur.csv', generatedAt: new Date(0) })
}

const table = (rows: number, seed: number, shift: number): DriftFrame => csvToDriftFrame(syntheticCsv({ rows, seed, shift, junk: 0.05 }))

describe('renderDriftHtml', () => {
  it('should draw one chart per feature, histograms for numbers and bars for categories', () => {
    const ref = table(2000, 1, 0)
    const cur = table(2000, 2, 0.5)
    const charts = [...ref].map(([name, col]) => featureChart(name, col, cur.get(name)!))
    assert.deepEqual(charts.map((c) => c.kind), ['histogram', 'histogram', 'histogram', 'histogram', 'histogram', 'bars', 'bars'])
    for (const chart of charts) {
      const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
      assert.ok(Math.abs(sum(chart.reference) - 1) < 1e-9 && Math.abs(sum(chart.current) - 1) < 1e-9, chart.column)
    }
    const html = page(ref, cur)
    assert.equal((html.match(/<svg /g) ?? []).length, 7)
    assert.match(html, /Drift detected/)
    assert.doesNotMatch(html, /<script|<link|@import|https?:\/\//)
  })

  it('should not grow with the number of rows: shares are drawn, rows never embedded', () => {
    const small = page(table(1500, 1, 0), table(1500, 2, 0.5)).length
    const large = page(table(30_000, 1, 0), table(30_000, 2, 0.5)).length
    assert.ok(large < small * 1.1, `${large} bytes for 30,000 rows vs ${small} for 1,500`)
  })

  it('should escape column names and category labels', () => {
    const evil = '<img src=x onerror=alert(1)>'
    const ref: DriftFrame = new Map([[evil, { kind: 'categorical', values: ['<em>', 'a', 'a'] }]])
    const cur: DriftFrame = new Map([[evil, { kind: 'categorical', values: ['<em>', '<em>', 'a'] }]])
    const html = page(ref, cur)
    assert.doesNotMatch(html, /<img|<em>/)
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/)
  })
})
