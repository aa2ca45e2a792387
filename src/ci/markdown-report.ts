import type { CiReport, MetricComparison, ParamDifference, ResolvedSide, Verdict } from './ci-report-entities.js'

/** Lets a workflow find and update its earlier comment instead of adding one per push. */
export const REPORT_MARKER = '<!-- plinth-ci-report -->'

export interface MarkdownOptions {
  /** Server root; when given, run ids and versions link to the server's API. */
  serverUrl?: string
  /** Path of the chart PNG as the Markdown should reference it. */
  chartPath?: string
}

const VERDICT_TEXT: Record<Verdict, string> = { better: '✅ better', worse: '❌ worse', same: 'same', unknown: '? not comparable' }

/** Six significant digits, without trailing zeros: enough to see a change, short enough to read. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  return String(Number(value.toPrecision(6)))
}

function signed(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value)
}

/** Pipes and line breaks would end a table cell early. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\r?\n/g, ' ')
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``
}

function link(text: string, url: string | undefined): string {
  return url ? `[${text}](${url})` : text
}

function describeSide(label: string, side: ResolvedSide, serverUrl: string | undefined): string {
  const base = serverUrl?.replace(/\/+$/, '')
  const runUrl = base && `${base}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(side.run.runId)}`
  const run = `run ${link(code(side.run.runId), runUrl)}${side.run.runName ? ` (${cell(side.run.runName)})` : ''}`
  if (!side.model) return `**${label}:** ${code(side.spec)}: ${run}`
  const { name, version } = side.model
  const versionUrl = base && `${base}/api/plinth/v1/lineage?model=${encodeURIComponent(name)}&version=${version}`
  return `**${label}:** ${code(side.spec)}: ${link(`version ${version}`, versionUrl)} of ${code(name)}, from ${run}`
}

function metricRow(m: MetricComparison): string {
  const arrow = m.delta > 0 ? '▲ ' : m.delta < 0 ? '▼ ' : ''
  const pct = m.deltaPct === null ? '–' : `${m.deltaPct > 0 ? '+' : ''}${m.deltaPct.toFixed(2)}%`
  const name = `${cell(m.name)} ${m.direction === 'higher' ? '↑' : '↓'}`
  return `| ${name} | ${formatNumber(m.champion)} | ${formatNumber(m.challenger)} | ${arrow}${signed(m.delta)} | ${pct} | ${VERDICT_TEXT[m.verdict]} |`
}

function paramRow(p: ParamDifference): string {
  const value = (v: string | null) => (v === null ? '_(not set)_' : code(cell(v)))
  return `| ${cell(p.name)} | ${value(p.champion)} | ${value(p.challenger)} |`
}

function summary(report: CiReport): string {
  const parts = [`${report.better.length} better`, `${report.worse.length} worse`]
  const same = report.metrics.length - report.better.length - report.worse.length
  if (same > 0) parts.push(`${same} unchanged`)
  const worse = report.worse.length > 0 ? ` (worse: ${report.worse.map(cell).join(', ')})` : ''
  return `${report.worse.length > 0 ? '⚠️' : '✅'} **${parts.join(', ')}**${worse} out of ${report.metrics.length} compared metrics.`
}

function notCompared(report: CiReport): string[] {
  const lines: string[] = []
  if (report.onlyChampion.length) lines.push(`Only the champion logged: ${report.onlyChampion.map(cell).join(', ')}.`)
  if (report.onlyChallenger.length) lines.push(`Only the challenger logged: ${report.onlyChallenger.map(cell).join(', ')}.`)
  return lines.length ? ['', ...lines] : []
}

/** The report as GitHub-flavoured Markdown, ready to post as a PR comment. */
export function renderMarkdown(report: CiReport, options: MarkdownOptions = {}): string {
  const lines = [
    REPORT_MARKER,
    '## Plinth model report: challenger vs champion',
    '',
    `${describeSide('Challenger', report.challenger, options.serverUrl)}  `,
    describeSide('Champion', report.champion, options.serverUrl),
    '',
    summary(report),
    '',
    '| metric | champion | challenger | Δ | Δ% | change |',
    '|---|---:|---:|---:|---:|---|',
    ...report.metrics.map(metricRow),
    ...notCompared(report),
    '',
    '↑ higher is better, ↓ lower is better.',
  ]
  if (report.params.length > 0) {
    lines.push('', '### Params that differ', '', '| param | champion | challenger |', '|---|---|---|', ...report.params.map(paramRow))
  }
  if (options.chartPath) lines.push('', `![metrics](${options.chartPath})`)
  return `${lines.join('\n')}\n`
}
