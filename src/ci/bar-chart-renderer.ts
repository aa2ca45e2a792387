import type { MetricComparison, Verdict } from './ci-report-entities.js'
import { formatNumber } from './markdown-report.js'
import { GLYPH_ADVANCE, GLYPH_HEIGHT } from './pixel-font.js'
import { RasterCanvas, type Rgb } from './raster-canvas.js'

export const CHART_COLORS = {
  background: [255, 255, 255],
  champion: [76, 114, 176],
  challenger: [221, 132, 82],
  axis: [90, 90, 90],
  text: [40, 40, 40],
  better: [46, 139, 87],
  worse: [200, 40, 40],
} as const satisfies Record<string, Rgb>

/** Where a bar was drawn, so a test (or an image map) can find it. */
export interface BarRect {
  metric: string
  side: 'champion' | 'challenger'
  x: number
  y: number
  width: number
  height: number
}

export interface BarChart {
  png: Buffer
  width: number
  height: number
  bars: BarRect[]
}

const BAR = 48
const GAP = 8
const GROUP = 2 * BAR + GAP + 40
const MARGIN = 30
const TOP = 64
const PLOT = 200
const LABEL_ROWS = 28

function labelColor(verdict: Verdict): Rgb {
  return verdict === 'better' ? CHART_COLORS.better : verdict === 'worse' ? CHART_COLORS.worse : CHART_COLORS.text
}

/** Cuts a label to what fits under its group, marking the cut. */
function fit(text: string, width: number): string {
  const chars = Math.floor((width + 1) / GLYPH_ADVANCE)
  return [...text].length <= chars ? text : `${[...text].slice(0, chars - 2).join('')}..`
}

function drawLegend(canvas: RasterCanvas): void {
  canvas.drawText('champion vs challenger', MARGIN, 12, CHART_COLORS.text, 2)
  const entries = [['champion', CHART_COLORS.champion], ['challenger', CHART_COLORS.challenger]] as const
  let x = MARGIN
  for (const [label, color] of entries) {
    canvas.fillRect(x, 38, 10, 10, color)
    canvas.drawText(label, x + 14, 40, CHART_COLORS.text)
    x += 14 + RasterCanvas.textWidth(label) + 20
  }
}

/** Each metric is scaled to its own larger |value|: metrics on different scales share one chart. */
function barHeight(value: number, scale: number): number {
  if (!Number.isFinite(value) || !(scale > 0) || !Number.isFinite(scale)) return 0
  return Math.max(value === 0 ? 0 : 1, Math.round((Math.abs(value) / scale) * PLOT))
}

function drawGroup(canvas: RasterCanvas, metric: MetricComparison, left: number): BarRect[] {
  const scale = Math.max(Math.abs(metric.champion), Math.abs(metric.challenger))
  const base = TOP + PLOT
  const sides = [['champion', metric.champion, CHART_COLORS.champion], ['challenger', metric.challenger, CHART_COLORS.challenger]] as const
  const bars = sides.map(([side, value, color], i) => {
    const height = barHeight(value, scale)
    const x = left + 20 + i * (BAR + GAP)
    canvas.fillRect(x, base - height, BAR, height, color)
    const text = formatNumber(value)
    canvas.drawText(text, x + (BAR - RasterCanvas.textWidth(text)) / 2, base - height - GLYPH_HEIGHT - 4, CHART_COLORS.text)
    return { metric: metric.name, side, x, y: base - height, width: BAR, height }
  })
  const label = fit(metric.name, GROUP - 8)
  canvas.drawText(label, left + (GROUP - RasterCanvas.textWidth(label)) / 2, base + 8, labelColor(metric.verdict))
  return bars
}

/**
 * A PNG bar chart: per metric, the champion's bar beside the challenger's, each labelled with its
 * value; the metric's name is green when the challenger is better and red when worse.
 */
export function renderBarChart(metrics: readonly MetricComparison[]): BarChart {
  const width = Math.max(360, 2 * MARGIN + metrics.length * GROUP)
  const height = TOP + PLOT + LABEL_ROWS + 8
  const canvas = new RasterCanvas(width, height, CHART_COLORS.background)
  drawLegend(canvas)
  const bars = metrics.flatMap((m, i) => drawGroup(canvas, m, MARGIN + i * GROUP))
  canvas.fillRect(MARGIN, TOP + PLOT, width - 2 * MARGIN, 1, CHART_COLORS.axis)
  return { png: canvas.toPng(), width, height, bars }
}
