import { Empty, Loaded } from '../components/message.js'
import { formatTime } from '../lib/format.js'
import { searchModels } from '../lib/registry-api.js'
import { useApi } from '../lib/use-api.js'

/** Every registered model with its newest version and aliases. */
export function ModelsPage() {
  const models = useApi((signal) => searchModels(signal), [])
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Models</h1>
          <p class="subtitle">The model registry: versions, aliases and where they came from.</p>
        </div>
      </div>
      <Loaded state={models} what="models">
        {(list) =>
          list.length === 0 ? (
            <Empty>No registered models yet. Register one from a run's page.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col" class="num">Latest version</th>
                    <th scope="col">Aliases</th>
                    <th scope="col">Updated</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((m) => (
                    <tr key={m.name}>
                      <td><a href={`/models/${encodeURIComponent(m.name)}`}>{m.name}</a></td>
                      <td class="num">{Math.max(0, ...(m.latest_versions ?? []).map((v) => Number(v.version))) || '—'}</td>
                      <td>{(m.aliases ?? []).map((a) => <span key={a.alias} class="badge info" style={{ marginRight: 4 }}>@{a.alias} → v{a.version}</span>)}</td>
                      <td>{formatTime(m.last_updated_timestamp)}</td>
                      <td class="wrap">{m.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  )
}
