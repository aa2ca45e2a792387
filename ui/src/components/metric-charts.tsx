import { useMemo } from 'preact/hooks'
import uPlot from 'uplot'
import { formatNumber } from '../lib/format.js'
import { metricHistory, runName, type SampledSeries } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { Run } from '../lib/wire-types.js'
import { LineChart, PALETTE } from './line-chart.js'
import { ErrorMessage, Loading } from './message.js'

/** Points per run the server keeps; each bucket sends its lowest and highest value, so spikes show. */
export const CHART_POINTS = 1000

function aligned(series: SampledSeries[]): { x: number[]; ys: Array<Array<number | null>> } {
  if (series.length === 0) return { x: [], ys: [] }
  const joined = uPlot.join(series.map((s) => [s.steps, s.values] as uPlot.AlignedData))
  return { x: joined[0] as number[], ys: joined.slice(1) as Array<Array<number | null>> }
}

function MetricChart({ runs, metricKey, onDrawn }: { runs: Run[]; metricKey: string; onDrawn?: () => void }) {
  const ids = runs.map((r) => r.info.run_id)
  const history = useApi((signal) => metricHistory(ids, metricKey, CHART_POINTS, signal), [ids.join(','), metricKey])
  const chart = useMemo(() => {
    if (!history.data) return undefined
    const { x, ys } = aligned(history.data)
    const byId = new Map(runs.map((r) => [r.info.run_id, r]))
    const series = history.data.map((s, i) => ({ label: byId.get(s.run_id) ? runName(byId.get(s.run_id)!) : s.run_id, values: ys[i]!, color: PALETTE[ids.indexOf(s.run_id) % PALETTE.length] }))
    const total = history.data.reduce((sum, s) => sum + s.total_points, 0)
    const shown = history.data.reduce((sum, s) => sum + s.steps.length, 0)
    return { x, series, note: total > shown ? `${formatNumber(total)} points stored, ${formatNumber(shown)} drawn (lowest and highest per bucket).` : `${formatNumber(total)} point${total === 1 ? '' : 's'}.` }
  }, [history.data])
  if (history.error) return <ErrorMessage error={history.error} title={`Could not load ${metricKey}`} />
  if (!chart) return <Loading what={metricKey} />
  return <LineChart title={metricKey} x={chart.x} series={chart.series} xLabel="step" note={chart.note} onDrawn={onDrawn} />
}

/** One chart per metric key, every run a line, from the server's downsampled history. */
export function MetricCharts({ runs, keys, onDrawn }: { runs: Run[]; keys: string[]; onDrawn?: (key: string) => void }) {
  return (
    <div class="grid-2">
      {keys.map((key) => (
        <MetricChart key={key} runs={runs} metricKey={key} onDrawn={onDrawn && (() => onDrawn(key))} />
      ))}
    </div>
  )
}
