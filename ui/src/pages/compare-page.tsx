import { useState } from 'preact/hooks'
import { Empty, Loaded } from '../components/message.js'
import { MetricCharts } from '../components/metric-charts.js'
import { PALETTE } from '../components/line-chart.js'
import { formatNumber } from '../lib/format.js'
import { updateQuery, type Location } from '../lib/router.js'
import { getRun, runName } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { Run } from '../lib/wire-types.js'
import { ColumnPicker } from './column-picker.js'
import { parseList } from './run-columns.js'

function unionKeys(runs: Run[], pick: (r: Run) => Array<{ key: string }> | undefined): string[] {
  return [...new Set(runs.flatMap((r) => (pick(r) ?? []).map((x) => x.key)))].sort()
}

function ParamsDiff({ runs }: { runs: Run[] }) {
  const [onlyDiff, setOnlyDiff] = useState(runs.length > 1)
  const keys = unionKeys(runs, (r) => r.data.params)
  const valueOf = (run: Run, key: string) => run.data.params?.find((p) => p.key === key)?.value
  const rows = keys.map((key) => ({ key, values: runs.map((r) => valueOf(r, key)) })).map((row) => ({ ...row, differs: new Set(row.values).size > 1 }))
  const shown = onlyDiff ? rows.filter((r) => r.differs) : rows
  return (
    <section class="card" aria-labelledby="params-diff">
      <div class="page-head" style={{ marginBottom: 8 }}>
        <h2 id="params-diff" style={{ margin: 0 }}>Parameters</h2>
        <label class="inline">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff((e.target as HTMLInputElement).checked)} /> Only rows that differ ({rows.filter((r) => r.differs).length} of {rows.length})
        </label>
      </div>
      {shown.length === 0 ? (
        <p class="subtitle">{rows.length === 0 ? 'No parameters.' : 'Every parameter is the same in these runs.'}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                {runs.map((r) => <th scope="col" key={r.info.run_id}>{runName(r)}</th>)}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.key} class={row.differs ? 'diff' : undefined}>
                  <th scope="row" style={{ position: 'static', background: 'none', fontWeight: 500 }}>{row.key}</th>
                  {row.values.map((v, i) => <td key={i} class="wrap">{v ?? '—'}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function LatestMetrics({ runs, keys }: { runs: Run[]; keys: string[] }) {
  return (
    <section class="card" aria-labelledby="latest-metrics">
      <h2 id="latest-metrics">Latest metric values</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              {keys.map((k) => <th scope="col" class="num" key={k}>{k}</th>)}
            </tr>
          </thead>
          <tbody>
            {runs.map((r, i) => (
              <tr key={r.info.run_id}>
                <td>
                  <span class="swatch" style={{ background: PALETTE[i % PALETTE.length], marginRight: 6 }} aria-hidden="true" />
                  <a href={`/runs/${r.info.run_id}`}>{runName(r)}</a>
                </td>
                {keys.map((k) => <td class="num" key={k}>{formatNumber(r.data.metrics?.find((m) => m.key === k)?.value)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}

function markDrawn(key: string): void {
  performance.mark(`plinth:chart-drawn:${key}`)
}

/** Several runs side by side: charts of chosen metrics, the parameters that differ, latest values. */
export function ComparePage({ location }: { location: Location }) {
  const ids = parseList(location.params.get('runs')) ?? []
  const runs = useApi((signal) => Promise.all(ids.map((id) => getRun(id, signal))), [ids.join(',')])
  if (ids.length === 0) return <Empty>Choose runs to compare on the <a href="/experiments">Experiments</a> page.</Empty>
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Compare runs</h1>
          <p class="subtitle">{ids.length} runs</p>
        </div>
      </div>
      <Loaded state={runs} what="the runs">
        {(list) => {
          const allKeys = unionKeys(list, (r) => r.data.metrics)
          const chosen = parseList(location.params.get('metrics')) ?? allKeys.slice(0, 4)
          return (
            <>
              <div class="toolbar">
                <ColumnPicker title="Metrics to chart" all={allKeys} chosen={chosen} onChange={(keys) => updateQuery({ metrics: keys.join(',') || ',' })} />
              </div>
              {chosen.length > 0 ? <MetricCharts runs={list} keys={chosen} onDrawn={markDrawn} /> : <Empty>Pick metrics to chart.</Empty>}
              <LatestMetrics runs={list} keys={allKeys} />
              <ParamsDiff runs={list} />
            </>
          )
        }}
      </Loaded>
    </>
  )
}
