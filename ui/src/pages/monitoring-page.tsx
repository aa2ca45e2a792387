import { DriftHeatmap } from '../components/drift-heatmap.js'
import { LineChart, type ChartMarker } from '../components/line-chart.js'
import { Empty, Loaded } from '../components/message.js'
import { listDeployments } from '../lib/deployment-api.js'
import { formatNumber, formatPercent, formatTime } from '../lib/format.js'
import { deploymentMonitoring } from '../lib/monitoring-api.js'
import { updateQuery, type Location } from '../lib/router.js'
import { useApi } from '../lib/use-api.js'
import type { Alert, AlertEvent, DeploymentMonitoring, PerformanceWindow } from '../lib/wire-types.js'
import { PredictionTable } from './prediction-table.js'

const RANGES: Array<[string, number]> = [['1 hour', 3_600_000], ['24 hours', 86_400_000], ['7 days', 7 * 86_400_000], ['30 days', 30 * 86_400_000]]

function alertMarkers(events: AlertEvent[]): ChartMarker[] {
  return events.map((e) => ({ x: e.time / 1000, label: `${e.kind} ${e.condition}`, color: e.kind === 'fired' ? '#b3261e' : '#1a7f37' }))
}

function PerformanceChart({ data }: { data: DeploymentMonitoring }) {
  const perf = data.performance_over_time
  if (!perf || perf.unavailable) return <p class="subtitle">{perf?.unavailable ?? 'Performance is not computed on this server.'}</p>
  const windows = perf.windows.filter((w) => w.predictions > 0)
  const keys = [...new Set(windows.flatMap((w) => [...Object.keys(w.metrics), ...Object.keys(w.estimated).map((k) => `estimated ${k}`)]))]
    .filter((k) => windows.some((w) => typeof valueOf(w, k) === 'number'))
    .slice(0, 6)
  if (windows.length === 0 || keys.length === 0) return <p class="subtitle">No labeled or estimable predictions in this range yet. Send ground truth to POST /api/plinth/v1/feedback.</p>
  return (
    <LineChart
      title="Performance over time"
      time
      x={windows.map((w) => (w.start_time + perf.window_ms / 2) / 1000)}
      series={keys.map((k) => ({ label: k, values: windows.map((w) => (typeof valueOf(w, k) === 'number' ? (valueOf(w, k) as number) : null)) }))}
      markers={alertMarkers(data.alerts.history)}
      note={`Windows of ${Math.round(perf.window_ms / 60_000)} min, each drawn at its middle; dashed lines: alerts fired (red) and resolved (green).`}
    />
  )
}

function valueOf(w: PerformanceWindow, key: string): unknown {
  return key.startsWith('estimated ') ? w.estimated[key.slice(10)] : w.metrics[key]
}

function TrafficChart({ data }: { data: DeploymentMonitoring }) {
  const runs = data.runs.filter((r) => r.outcome === 'ok')
  if (runs.length < 2) return null
  return (
    <LineChart
      title="Latency per monitor run (ms)"
      time
      x={runs.map((r) => r.time / 1000)}
      series={[{ label: 'p50', values: runs.map((r) => r.latency_p50_ms) }, { label: 'p99', values: runs.map((r) => r.latency_p99_ms) }]}
      markers={alertMarkers(data.alerts.history)}
      height={200}
    />
  )
}

function AlertsTable({ firing, history }: { firing: Alert[]; history: AlertEvent[] }) {
  return (
    <>
      {firing.length === 0 ? <p><span class="badge ok">all clear</span> No alert is firing.</p> : (
        <ul>
          {firing.map((a) => (
            <li key={a.id}><span class={`badge ${a.severity === 'critical' ? 'bad' : 'warn'}`}>{a.severity}</span> <strong>{a.monitor}</strong>: {a.condition} since {formatTime(a.started_at ?? a.since)} (value {formatNumber(a.last_value)})</li>
          ))}
        </ul>
      )}
      {history.length > 0 && (
        <div class="table-wrap" style={{ maxHeight: 300 }}>
          <table>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Monitor</th><th scope="col">Condition</th><th scope="col">Severity</th><th scope="col" class="num">Value</th></tr>
            </thead>
            <tbody>
              {[...history].reverse().map((e) => (
                <tr key={e.seq}>
                  <td>{formatTime(e.time)}</td>
                  <td><span class={`badge ${e.kind === 'fired' ? 'bad' : 'ok'}`}>{e.kind}</span></td>
                  <td>{e.monitor}</td>
                  <td>{e.condition}</td>
                  <td>{e.severity}</td>
                  <td class="num">{formatNumber(e.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

function Dashboard({ deployment, data }: { deployment: string; data: DeploymentMonitoring }) {
  const last = data.runs.at(-1)
  return (
    <>
      <div class="stats">
        <div class="stat"><div class="label">Firing alerts</div><div class="value">{data.alerts.firing.length}</div></div>
        <div class="stat"><div class="label">Monitors</div><div class="value">{data.monitors.length}</div></div>
        <div class="stat"><div class="label">Drifted features (latest)</div><div class="value">{data.latest_drift ? formatPercent(data.latest_drift.share) : '—'}</div></div>
        <div class="stat"><div class="label">Requests (last run)</div><div class="value">{formatNumber(last?.requests)}</div></div>
        <div class="stat"><div class="label">Error rate (last run)</div><div class="value">{formatPercent(last?.error_rate)}</div></div>
      </div>
      <section class="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <AlertsTable firing={data.alerts.firing} history={data.alerts.history} />
      </section>
      <PerformanceChart data={data} />
      <section class="card" aria-labelledby="drift-title">
        <h2 id="drift-title">Drift per feature</h2>
        <DriftHeatmap drift={data.drift_over_time} />
      </section>
      <TrafficChart data={data} />
      <section aria-labelledby="log-title">
        <h2 id="log-title">Prediction log</h2>
        <PredictionTable deployment={deployment} startTime={data.start_time} />
      </section>
    </>
  )
}

function Picker() {
  const deployments = useApi((signal) => listDeployments(signal), [])
  return (
    <Loaded state={deployments} what="deployments">
      {(list) => list.length === 0 ? <Empty>No deployments to monitor yet.</Empty> : (
        <ul>
          {list.map((d) => <li key={d.name}><a href={`/monitoring/${encodeURIComponent(d.name)}`}>{d.name}</a></li>)}
        </ul>
      )}
    </Loaded>
  )
}

/** A deployment's monitoring: alerts, performance with alert markers, drift heatmap, prediction log. */
export function MonitoringPage({ deployment, location }: { deployment?: string; location?: Location }) {
  const span = Number(location?.params.get('range') ?? RANGES[1]![1])
  const data = useApi((signal) => (deployment ? deploymentMonitoring(deployment, Date.now() - span, signal) : Promise.resolve(undefined)), [deployment, span])
  return (
    <>
      <div class="page-head">
        <div>
          <div class="breadcrumbs">Monitoring{deployment && <> / <a href={`/deployments/${encodeURIComponent(deployment)}`}>{deployment}</a></>}</div>
          <h1>{deployment ?? 'Monitoring'}</h1>
        </div>
        {deployment && (
          <label>
            Range
            <select value={span} onChange={(e) => updateQuery({ range: (e.target as HTMLSelectElement).value })}>
              {RANGES.map(([label, ms]) => <option key={ms} value={ms}>Last {label}</option>)}
            </select>
          </label>
        )}
      </div>
      {deployment ? <Loaded state={data} what="monitoring data">{(d) => <Dashboard deployment={deployment} data={d!} />}</Loaded> : <Picker />}
    </>
  )
}
