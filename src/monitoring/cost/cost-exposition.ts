import { costPer1000, cpuSecondsPer1000 } from './cost-attribution.js'

/**
 * Cost figures read back from Prometheus exposition text. Under `--workers` only the primary sees
 * every worker's counters (summed), as text; reading the cost API and deriving the cluster-wide
 * `plinth_cost_per_1000_predictions` from that same text keeps both equal to what `/metrics`
 * says, whatever worker answers.
 */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const WANTED = new Set([
  'plinth_model_cpu_seconds_total',
  'plinth_model_predictions_total',
  'plinth_model_memory_bytes',
  'plinth_cost_price_per_core_hour',
  'plinth_cost_since_timestamp_seconds',
  'plinth_cost_unattributed_cpu_seconds_total',
])

/** Samples of the named metrics (default: the cost ones) in exposition text; other lines are skipped. */
export function parseSamples(text: string, names: ReadonlySet<string> = WANTED): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const brace = line.indexOf('{')
    const space = line.indexOf(' ')
    const nameEnd = brace >= 0 && brace < space ? brace : space
    const name = line.slice(0, nameEnd)
    if (!names.has(name)) continue
    let labels: Record<string, string> = {}
    let rest = line.slice(nameEnd)
    if (brace === nameEnd) {
      const parsed = parseLabels(line, brace + 1)
      labels = parsed.labels
      rest = line.slice(parsed.end + 1)
    }
    const value = Number(rest.trim().split(' ')[0])
    samples.push({ name, labels, value })
  }
  return samples
}

/** `a="x",b="y\"z"}` from `start`; returns the labels and the index of the closing brace. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {}
  let i = start
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('=', i)
    const key = line.slice(i, eq).trim()
    let value = ''
    let j = eq + 2
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j]
        value += next === 'n' ? '\n' : next
      } else value += line[j]
    }
    labels[key] = value
    i = j + 1
    if (line[i] === ',') i++
  }
  return { labels, end: i }
}

export interface CostRow {
  model: string
  version: string
  deployment: string
  predictions: number
  cpuSeconds: number
  /** Memory of the loaded version (summed over workers, each holding its own copy); 0 when not loaded. */
  memoryBytes: number
  cpuSecondsPer1000: number | undefined
  costPer1000: number | undefined
}

export interface CostReport {
  pricePerCoreHour: number
  /** Seconds since the epoch when counting began (the earliest worker's). */
  sinceSeconds: number | undefined
  unattributedCpuSeconds: number
  rows: CostRow[]
}

/** The cost of every model version and deployment in the exposition text. */
export function costReport(text: string): CostReport {
  const samples = parseSamples(text)
  const one = (name: string) => samples.find((s) => s.name === name)?.value
  const price = one('plinth_cost_price_per_core_hour') ?? 0
  const memory = new Map<string, number>()
  const rows = new Map<string, CostRow>()
  for (const s of samples) {
    const { model = '', version = '', deployment = '' } = s.labels
    if (s.name === 'plinth_model_memory_bytes') memory.set(`${model}\u0000${version}`, s.value)
    if (s.name !== 'plinth_model_cpu_seconds_total' && s.name !== 'plinth_model_predictions_total') continue
    const id = `${model}\u0000${version}\u0000${deployment}`
    let row = rows.get(id)
    if (row === undefined) {
      row = { model, version, deployment, predictions: 0, cpuSeconds: 0, memoryBytes: 0, cpuSecondsPer1000: undefined, costPer1000: undefined }
      rows.set(id, row)
    }
    if (s.name === 'plinth_model_cpu_seconds_total') row.cpuSeconds += s.value
    else row.predictions += s.value
  }
  for (const row of rows.values()) {
    row.memoryBytes = memory.get(`${row.model}\u0000${row.version}`) ?? 0
    row.cpuSecondsPer1000 = cpuSecondsPer1000(row.cpuSeconds, row.predictions)
    row.costPer1000 = costPer1000(row.cpuSeconds, row.predictions, price)
  }
  const sorted = [...rows.values()].sort((a, b) => a.model.localeCompare(b.model) || Number(a.version) - Number(b.version) || a.deployment.localeCompare(b.deployment))
  return { pricePerCoreHour: price, sinceSeconds: one('plinth_cost_since_timestamp_seconds'), unattributedCpuSeconds: one('plinth_cost_unattributed_cpu_seconds_total') ?? 0, rows: sorted }
}

/**
 * `plinth_cost_per_1000_predictions` lines derived from summed counters, for the `--workers`
 * primary to append to the aggregated text (the workers' own gauges are omitted from it).
 */
export function clusterCostLines(text: string): string {
  const report = costReport(text)
  const lines = report.rows
    .filter((r) => r.costPer1000 !== undefined)
    .map((r) => `plinth_cost_per_1000_predictions{model="${escape(r.model)}",version="${escape(r.version)}",deployment="${escape(r.deployment)}"} ${r.costPer1000}`)
  if (lines.length === 0) return ''
  return [
    '# HELP plinth_cost_per_1000_predictions Cost of 1,000 predictions since counting began, from CPU and predictions summed over workers.',
    '# TYPE plinth_cost_per_1000_predictions gauge',
    ...lines,
    '',
  ].join('\n')
}

function escape(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"')
}
