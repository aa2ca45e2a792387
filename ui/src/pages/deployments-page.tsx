import { Empty, Loaded } from '../components/message.js'
import { listDeployments, rolloutState, targetLabel } from '../lib/deployment-api.js'
import { formatTime } from '../lib/format.js'
import { useApi } from '../lib/use-api.js'

/** Every deployment with its routing at a glance. */
export function DeploymentsPage() {
  const deployments = useApi((signal) => listDeployments(signal), [])
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Deployments</h1>
          <p class="subtitle">Named endpoints routing traffic to model versions.</p>
        </div>
      </div>
      <Loaded state={deployments} what="deployments">
        {(list) =>
          list.length === 0 ? (
            <Empty>No deployments yet. Create one with <code>plinth deployments create</code>.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col" class="num">Revision</th>
                    <th scope="col">Routing</th>
                    <th scope="col">Shadow</th>
                    <th scope="col">Updated</th>
                    <th scope="col">Monitoring</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((d) => {
                    const state = rolloutState(d)
                    return (
                      <tr key={d.name}>
                        <td><a href={`/deployments/${encodeURIComponent(d.name)}`}>{d.name}</a></td>
                        <td class="num">{d.revision}</td>
                        <td>{state.kind === 'canary' && <span class="badge warn" style={{ marginRight: 6 }}>canary</span>}{state.text}</td>
                        <td>{d.shadow ? `${targetLabel(d.shadow)} (${Math.round(d.shadow.share * 100)}%)` : '—'}</td>
                        <td>{formatTime(d.updated_at)} by {d.updated_by || '—'}</td>
                        <td><a href={`/monitoring/${encodeURIComponent(d.name)}`}>Open</a></td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  )
}
