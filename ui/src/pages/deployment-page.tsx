import { useState } from 'preact/hooks'
import { LiveTraffic } from '../components/live-traffic.js'
import { PALETTE } from '../components/line-chart.js'
import { ErrorMessage, Loaded } from '../components/message.js'
import { deploymentHistory, getDeployment, rollback, rolloutState, targetLabel } from '../lib/deployment-api.js'
import { formatTime } from '../lib/format.js'
import { useApi } from '../lib/use-api.js'
import type { Deployment, DeploymentRevision } from '../lib/wire-types.js'

function targetLink(t: { model: string; version?: string; alias?: string }) {
  const href = t.version ? `/models/${encodeURIComponent(t.model)}/versions/${t.version}` : `/models/${encodeURIComponent(t.model)}`
  return <a href={href}>{targetLabel(t)}</a>
}

function Routing({ deployment }: { deployment: Deployment }) {
  const total = deployment.routes.reduce((sum, r) => sum + r.weight, 0) || 1
  const state = rolloutState(deployment)
  return (
    <section class="card" aria-labelledby="routing-title">
      <h2 id="routing-title">Routing</h2>
      <p>
        {state.kind === 'canary' && <span class="badge warn" style={{ marginRight: 6 }}>canary</span>}
        {deployment.shadow && <span class="badge info" style={{ marginRight: 6 }}>shadow</span>}
        {state.text}
      </p>
      <div class="weight-bar" role="img" aria-label={`Traffic split: ${state.text}`}>
        {deployment.routes.filter((r) => r.weight > 0).map((r, i) => (
          <span key={i} style={{ width: `${(r.weight / total) * 100}%`, background: PALETTE[i % PALETTE.length] }}>{Math.round((r.weight / total) * 100)}%</span>
        ))}
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Role</th>
            <th scope="col" class="num">Weight</th>
            <th scope="col" class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {deployment.routes.map((r, i) => (
            <tr key={i}>
              <td>{targetLink(r)}</td>
              <td>route</td>
              <td class="num">{r.weight}</td>
              <td class="num">{Math.round((r.weight / total) * 100)}%</td>
            </tr>
          ))}
          {deployment.shadow && (
            <tr>
              <td>{targetLink(deployment.shadow)}</td>
              <td>shadow (mirrored, answers discarded)</td>
              <td class="num">—</td>
              <td class="num">{Math.round(deployment.shadow.share * 100)}%</td>
            </tr>
          )}
        </tbody>
      </table>
      {deployment.sticky_header && <p class="subtitle">Sticky by header <code>{deployment.sticky_header}</code>.</p>}
    </section>
  )
}

function describeRoutes(r: DeploymentRevision): string {
  const routes = r.routes.map((t) => `${targetLabel(t)} ${t.weight}`).join(', ')
  return r.shadow ? `${routes}; shadow ${targetLabel(r.shadow)} ${Math.round(r.shadow.share * 100)}%` : routes
}

function History({ deployment, history, onRollback }: { deployment: Deployment; history: DeploymentRevision[]; onRollback: (to?: number) => void }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">Revision</th>
            <th scope="col">When</th>
            <th scope="col">By</th>
            <th scope="col">Routes</th>
            <th scope="col">Reason</th>
            <th scope="col"><span class="sr-only">Action</span></th>
          </tr>
        </thead>
        <tbody>
          {history.map((r) => (
            <tr key={r.revision} class={r.revision === deployment.revision ? 'selected' : undefined}>
              <td class="num">{r.revision}</td>
              <td>{formatTime(r.created_at)}</td>
              <td>{r.created_by || '—'}</td>
              <td class="wrap">{describeRoutes(r)}</td>
              <td class="wrap">{r.reason}</td>
              <td>
                {r.revision === deployment.revision ? (
                  <span class="badge ok">current</span>
                ) : (
                  <button type="button" onClick={() => onRollback(r.revision)} aria-label={`Roll back to revision ${r.revision}`}>Roll back here</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** One deployment: routing and weights, canary and shadow state, live traffic, history with rollback. */
export function DeploymentPage({ name }: { name: string }) {
  const [notice, setNotice] = useState<string>()
  const [error, setError] = useState<Error>()
  const data = useApi(async (signal) => {
    const [deployment, history] = await Promise.all([getDeployment(name, signal), deploymentHistory(name, signal)])
    return { deployment, history: [...history].sort((a, b) => b.revision - a.revision) }
  }, [name, notice])
  const doRollback = async (deployment: Deployment, to?: number) => {
    const target = to ?? 'the previous revision'
    if (!window.confirm(`Roll ${name} back to ${typeof target === 'number' ? `revision ${target}` : target}? Traffic moves at once.`)) return
    setError(undefined)
    try {
      const updated = await rollback(name, deployment.revision, to)
      setNotice(`Rolled back: revision ${updated.revision} now routes ${rolloutState(updated).text}.`)
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <>
      <Loaded state={data} what="the deployment">
        {({ deployment, history }) => (
          <>
            <div class="page-head">
              <div>
                <div class="breadcrumbs"><a href="/deployments">Deployments</a> /</div>
                <h1>{deployment.name}</h1>
                <p class="subtitle">Revision {deployment.revision}, updated {formatTime(deployment.updated_at)} by {deployment.updated_by || '—'}</p>
              </div>
              <div class="toolbar" style={{ marginBottom: 0 }}>
                <a class="button" href={`/monitoring/${encodeURIComponent(name)}`}>Monitoring</a>
                <button type="button" class="danger" disabled={history.length < 2} onClick={() => doRollback(deployment)}>Roll back</button>
              </div>
            </div>
            {notice && <p class="notice" role="status">{notice}</p>}
            {error && <ErrorMessage error={error} title="Rollback refused" />}
            <Routing deployment={deployment} />
            <LiveTraffic deployment={name} />
            <section aria-labelledby="history-title">
              <h2 id="history-title">History</h2>
              <History deployment={deployment} history={history} onRollback={(to) => doRollback(deployment, to)} />
            </section>
          </>
        )}
      </Loaded>
    </>
  )
}
