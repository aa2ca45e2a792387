import { Empty, ErrorMessage, Loaded, Loading } from '../components/message.js'
import { formatDuration, formatTime } from '../lib/format.js'
import { listPipelines, pipelineRuns, pipelinesMissing, statusKind } from '../lib/pipeline-api.js'
import { useApi } from '../lib/use-api.js'

export function PipelinesUnavailable() {
  return (
    <div class="message empty" role="status">
      <strong>Pipelines are not available on this server.</strong>
      <p>This Plinth server has no pipeline API (<code>/api/plinth/v1/pipelines</code> answered 404). Upgrade the server to a version with pipelines.</p>
    </div>
  )
}

function Runs({ pipeline }: { pipeline: string }) {
  const runs = useApi((signal) => pipelineRuns(pipeline, signal), [pipeline])
  return (
    <Loaded state={runs} what="runs">
      {(list) =>
        list.length === 0 ? <Empty>No runs of {pipeline} yet.</Empty> : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Error</th></tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <tr key={r.id}>
                    <td><a class="mono" href={`/pipeline-runs/${encodeURIComponent(r.id)}`}>{r.id.slice(0, 12)}</a></td>
                    <td><span class={`badge ${statusKind(r.status)}`}>{r.status}</span></td>
                    <td>{r.trigger.kind}</td>
                    <td>{formatTime(r.started_at ?? r.created_at)}</td>
                    <td class="num">{formatDuration(r.started_at && r.ended_at ? r.ended_at - r.started_at : null)}</td>
                    <td class="wrap">{r.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Loaded>
  )
}

/** Pipelines and the runs of the chosen one. */
export function PipelinesPage({ pipeline }: { pipeline?: string }) {
  const pipelines = useApi((signal) => listPipelines(signal), [])
  if (pipelinesMissing(pipelines.error)) return <><h1>Pipelines</h1><PipelinesUnavailable /></>
  if (pipelines.error) return <ErrorMessage error={pipelines.error} title="Could not load pipelines" />
  if (!pipelines.data) return <Loading what="pipelines" />
  const chosen = pipeline ?? pipelines.data[0]?.name
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Pipelines</h1>
          <p class="subtitle">{pipelines.data.length} pipelines</p>
        </div>
      </div>
      {pipelines.data.length === 0 ? <Empty>No pipelines yet. Apply one with <code>plinth pipelines apply FILE</code>.</Empty> : (
        <div style={{ display: 'grid', gridTemplateColumns: '220px minmax(0, 1fr)', gap: 20 }}>
          <nav aria-label="Pipelines" class="card" style={{ padding: '8px 0' }}>
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {pipelines.data.map((p) => (
                <li key={p.name}><a href={`/pipelines/${encodeURIComponent(p.name)}`} aria-current={p.name === chosen ? 'page' : undefined} style={{ display: 'block', padding: '5px 14px', fontWeight: p.name === chosen ? 600 : 400 }}>{p.name}</a></li>
              ))}
            </ul>
          </nav>
          <div>{chosen && <><h2 style={{ marginTop: 0 }}>{chosen}</h2><Runs pipeline={chosen} /></>}</div>
        </div>
      )}
    </>
  )
}
