/**
 * `plinth drift --html`: one self-contained page (inline CSS and SVG, no script, no fonts, no
 * network) with the dataset verdict and a chart per feature. Charts are drawn from binned shares,
 * never from rows, so the page stays a few kilobytes per feature however big the data was
 * (Evidently's row-embedding reports took minutes to open).
 */
import { extent, histogramCountsUnsorted } from './binning.js'
import type { ColumnDrift, DriftReport, RawColumn } from './detect-drift.js'

/** What one feature's chart shows: reference and current shares per bin or category. */
export interface FeatureChart {
  readonly column: string
  readonly kind: 'histogram' | 'bars'
  /** Bin edges (histogram) or category labels (bars, most frequent first). */
  readonly labels: readonly string[]
  readonly reference: readonly number[]
  readonly current: readonly number[]
  /** Categories beyond the chart's limit, folded into the last bar. */
  readonly otherCategories?: number
}

const HISTOGRAM_BINS = 24
const MAX_BARS = 12

function finite(values: Float64Array): Float64Array {
  return values.filter((v) => Number.isFinite(v))
}

function shares(counts: Float64Array): number[] {
  let total = 0
  for (const c of counts) total += c
  return Array.from(counts, (c) => (total === 0 ? 0 : c / total))
}

const compact = (x: number): string => (Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4))))

function histogramChart(column: string, ref: Float64Array, cur: Float64Array): FeatureChart {
  const r = finite(ref)
  const c = finite(cur)
  if (r.length + c.length === 0) return { column, kind: 'histogram', labels: [], reference: [], current: [] }
  const [rMin, rMax] = r.length > 0 ? extent(r) : [Infinity, -Infinity]
  const [cMin, cMax] = c.length > 0 ? extent(c) : [Infinity, -Infinity]
  let min = Math.min(rMin, cMin)
  let max = Math.max(rMax, cMax)
  if (min === max) {
    min -= 0.5
    max += 0.5
  }
  const edges = Float64Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => (i === HISTOGRAM_BINS ? max : min + ((max - min) * i) / HISTOGRAM_BINS))
  return {
    column,
    kind: 'histogram',
    labels: Array.from(edges, compact),
    reference: shares(histogramCountsUnsorted(r, edges)),
    current: shares(histogramCountsUnsorted(c, edges)),
  }
}

function textValues(column: RawColumn): (string | null)[] {
  if (column.kind === 'categorical') return column.values as (string | null)[]
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)))
}

function barChart(column: string, ref: RawColumn, cur: RawColumn): FeatureChart {
  const counts = new Map<string, [number, number]>()
  const totals = [0, 0]
  ;[textValues(ref), textValues(cur)].forEach((values, side) => {
    for (const v of values) {
      if (v === null) continue
      const entry = counts.get(v) ?? [0, 0]
      entry[side]!++
      counts.set(v, entry)
      totals[side]!++
    }
  })
  const ranked = [...counts].sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
  const shown = ranked.slice(0, MAX_BARS)
  const rest = ranked.slice(MAX_BARS)
  const share = (n: number, side: number): number => (totals[side] === 0 ? 0 : n / totals[side]!)
  const labels = shown.map(([k]) => k)
  const reference = shown.map(([, v]) => share(v[0], 0))
  const current = shown.map(([, v]) => share(v[1], 1))
  if (rest.length > 0) {
    labels.push(`${rest.length} others`)
    reference.push(share(rest.reduce((s, [, v]) => s + v[0], 0), 0))
    current.push(share(rest.reduce((s, [, v]) => s + v[1], 0), 1))
  }
  return { column, kind: 'bars', labels, reference, current, ...(rest.length > 0 ? { otherCategories: rest.length } : {}) }
}

/** Chart data for one column pair: a histogram for numbers on both sides, else category bars. */
export function featureChart(column: string, ref: RawColumn, cur: RawColumn): FeatureChart {
  if (ref.kind === 'numerical' && cur.kind === 'numerical') return histogramChart(column, ref.values, cur.values)
  return barChart(column, ref, cur)
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)

const WIDTH = 520
const HEIGHT = 170
const PAD = { left: 8, right: 8, top: 10, bottom: 34 }

/** Inline SVG: reference and current side by side per bin, shares on one scale. */
function chartSvg(chart: FeatureChart): string {
  const n = chart.reference.length
  if (n === 0) return '<p class="empty">No finite values to chart.</p>'
  const peak = Math.max(...chart.reference, ...chart.current, 1e-12)
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const slot = plotW / n
  const bar = Math.max(1, (slot - 2) / 2)
  const parts: string[] = []
  for (let i = 0; i < n; i++) {
    const x = PAD.left + i * slot + 1
    for (const [side, value] of [['ref', chart.reference[i]!], ['cur', chart.current[i]!]] as const) {
      const h = (value / peak) * plotH
      const bx = side === 'ref' ? x : x + bar
      const label = chart.kind === 'bars' ? chart.labels[i]! : `${chart.labels[i]} – ${chart.labels[i + 1]}`
      parts.push(
        `<rect class="${side}" x="${bx.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(label)}: ${side === 'ref' ? 'reference' : 'current'} ${(value * 100).toFixed(2)}%</title></rect>`,
      )
    }
  }
  const axisY = PAD.top + plotH
  parts.push(`<line class="axis" x1="${PAD.left}" y1="${axisY}" x2="${WIDTH - PAD.right}" y2="${axisY}"/>`)
  if (chart.kind === 'histogram') {
    const ticks = [0, Math.floor(n / 2), n]
    for (const t of ticks) {
      const anchor = t === 0 ? 'start' : t === n ? 'end' : 'middle'
      parts.push(`<text x="${(PAD.left + t * slot).toFixed(1)}" y="${axisY + 14}" text-anchor="${anchor}">${escapeHtml(chart.labels[t]!)}</text>`)
    }
  } else {
    for (let i = 0; i < n; i++) {
      const label = chart.labels[i]!
      const short = label.length > 10 ? `${label.slice(0, 9)}…` : label
      parts.push(`<text x="${(PAD.left + (i + 0.5) * slot).toFixed(1)}" y="${axisY + 14}" text-anchor="middle">${escapeHtml(short)}</text>`)
    }
  }
  parts.push(`<text x="${WIDTH - PAD.right}" y="${PAD.top + 2}" text-anchor="end" class="peak">max ${(peak * 100).toFixed(1)}%</text>`)
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(chart.column)}: reference vs current">${parts.join('')}</svg>`
}

const formatScore = (x: number): string => (Number.isNaN(x) ? 'n/a' : x === 0 || (Math.abs(x) >= 1e-4 && Math.abs(x) < 1e6) ? x.toFixed(4) : x.toExponential(3))

function comparison(c: ColumnDrift): string {
  const pValue = c.test === 'ks' || c.test === 'chisquare' || c.test === 'z'
  if (pValue) return `p-value ${c.test === 'ks' ? '≤' : '<'} ${c.threshold} means drift`
  return `score ≥ ${c.threshold} means drift`
}

function featureCard(c: ColumnDrift, chart: FeatureChart | undefined): string {
  const dropped = c.dropped_reference + c.dropped_current
  return `<section class="card ${c.drift ? 'drifted' : 'stable'}">
<header><h2>${escapeHtml(c.column)}</h2><span class="badge">${c.drift ? 'Drift detected' : 'No drift'}</span></header>
<dl><div><dt>Type</dt><dd>${c.type}</dd></div><div><dt>Test</dt><dd>${c.test}</dd></div><div><dt>Score</dt><dd>${formatScore(c.score)}</dd></div><div><dt>Threshold</dt><dd>${c.threshold} <small>(${comparison(c)})</small></dd></div></dl>
${chart ? chartSvg(chart) : ''}
${dropped > 0 ? `<p class="note">Dropped as empty, NaN or infinite: ${c.dropped_reference} reference, ${c.dropped_current} current cells.</p>` : ''}
</section>`
}

const STYLE = `
:root{--ref:#7b8794;--cur:#e8590c;--ok:#2b8a3e;--bad:#c92a2a;--bg:#f8f9fa;--card:#fff;--ink:#212529;--muted:#6c757d}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
main{max-width:1160px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}p.sub{color:var(--muted);margin:0 0 20px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}.stat{background:var(--card);border-radius:10px;padding:14px 18px;box-shadow:0 1px 3px #0001;min-width:160px}
.stat b{display:block;font-size:24px}.stat.bad b{color:var(--bad)}.stat.ok b{color:var(--ok)}
.legend{display:flex;gap:16px;color:var(--muted);margin:8px 0 16px}.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
.card{background:var(--card);border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px #0001;border-top:4px solid var(--ok)}.card.drifted{border-top-color:var(--bad)}
.card header{display:flex;justify-content:space-between;align-items:center}.card h2{font-size:16px;margin:0;word-break:break-all}
.badge{font-size:12px;padding:2px 8px;border-radius:99px;background:#d3f9d8;color:var(--ok)}.drifted .badge{background:#ffe3e3;color:var(--bad)}
dl{display:flex;gap:18px;flex-wrap:wrap;margin:8px 0}dl div{min-width:70px}dt{color:var(--muted);font-size:12px}dd{margin:0;font-variant-numeric:tabular-nums}
svg{width:100%;height:auto}rect.ref{fill:var(--ref)}rect.cur{fill:var(--cur)}line.axis{stroke:#adb5bd}svg text{font-size:10px;fill:var(--muted)}
.note{color:var(--muted);font-size:12px;margin:4px 0 0}.empty{color:var(--muted)}
`

export interface HtmlReportInput {
  readonly report: DriftReport
  readonly charts: ReadonlyMap<string, FeatureChart>
  readonly referenceName: string
  readonly currentName: string
  readonly generatedAt?: Date
}

/** The whole page as a string. Drifted features come first, then by score. */
export function renderDriftHtml(input: HtmlReportInput): string {
  const { report } = input
  const when = (input.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19)
  const ordered = [...report.columns].sort((a, b) => Number(b.drift) - Number(a.drift))
  const cards = ordered.map((c) => featureCard(c, input.charts.get(c.column))).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Data drift: ${escapeHtml(input.currentName)} vs ${escapeHtml(input.referenceName)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Data drift report</h1>
<p class="sub">Current <b>${escapeHtml(input.currentName)}</b> against reference <b>${escapeHtml(input.referenceName)}</b> · generated ${when} UTC by plinth drift</p>
<div class="summary">
<div class="stat ${report.dataset_drift ? 'bad' : 'ok'}"><span>Dataset</span><b>${report.dataset_drift ? 'Drift detected' : 'No drift'}</b></div>
<div class="stat"><span>Drifted features</span><b>${report.drifted} of ${report.columns.length}</b></div>
<div class="stat"><span>Share drifted</span><b>${(report.share * 100).toFixed(1)}%</b></div>
</div>
<div class="legend"><span><i style="background:var(--ref)"></i>reference</span><span><i style="background:var(--cur)"></i>current</span><span>bars are shares of each side's non-missing values</span></div>
<div class="grid">
${cards}
</div>
</main></body></html>
`
}
