import { useState } from 'preact/hooks'
import { ErrorMessage, Loaded } from '../components/message.js'
import { formatTime, shortId } from '../lib/format.js'
import { aliasHistory, deleteAlias, getModel, searchVersions } from '../lib/registry-api.js'
import { useApi } from '../lib/use-api.js'
import type { AliasChange, ModelVersion, RegisteredModel } from '../lib/wire-types.js'
import { AliasForm } from './alias-form.js'

function statusBadge(status: string) {
  const kind = status === 'READY' ? 'ok' : status === 'FAILED_REGISTRATION' ? 'bad' : 'warn'
  return <span class={`badge ${kind}`}>{status.toLowerCase().replace('_', ' ')}</span>
}

function VersionsTable({ name, versions }: { name: string; versions: ModelVersion[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Aliases</th>
            <th scope="col">Registered</th>
            <th scope="col">Run</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td class="num"><a href={`/models/${encodeURIComponent(name)}/versions/${v.version}`}>{v.version}</a></td>
              <td>{statusBadge(v.status)}</td>
              <td>{(v.aliases ?? []).map((a) => <span key={a} class="badge info" style={{ marginRight: 4 }}>@{a}</span>)}</td>
              <td>{formatTime(v.creation_timestamp)}</td>
              <td>{v.run_id ? <a class="mono" href={`/runs/${v.run_id}`}>{shortId(v.run_id)}</a> : '—'}</td>
              <td class="wrap mono">{v.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function AliasHistory({ history }: { history: AliasChange[] }) {
  if (history.length === 0) return <p class="subtitle">No alias has been set yet.</p>
  return (
    <div class="table-wrap" style={{ maxHeight: 320 }}>
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Alias</th>
            <th scope="col" class="num">From</th>
            <th scope="col" class="num">To</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {history.map((c, i) => (
            <tr key={i}>
              <td>{formatTime(c.timestamp)}</td>
              <td>@{c.alias}</td>
              <td class="num">{c.from_version ?? '—'}</td>
              <td class="num">{c.to_version ?? 'removed'}</td>
              <td>{c.user_id || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Aliases({ model, versions, onChanged }: { model: RegisteredModel; versions: ModelVersion[]; onChanged: (message: string) => void }) {
  const [error, setError] = useState<Error>()
  const remove = async (alias: string) => {
    setError(undefined)
    try {
      await deleteAlias(model.name, alias)
      onChanged(`@${alias} removed.`)
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <>
      {(model.aliases ?? []).length === 0 ? (
        <p class="subtitle">No aliases.</p>
      ) : (
        <ul>
          {model.aliases!.map((a) => (
            <li key={a.alias} style={{ marginBottom: 4 }}>
              <span class="badge info">@{a.alias}</span> → <a href={`/models/${encodeURIComponent(model.name)}/versions/${a.version}`}>version {a.version}</a>{' '}
              <button type="button" onClick={() => remove(a.alias)} aria-label={`Remove alias ${a.alias}`}>Remove</button>
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorMessage error={error} title="Could not remove the alias" />}
      <AliasForm model={model.name} versions={versions} onChanged={onChanged} />
    </>
  )
}

/** A registered model: its versions, its aliases (set one here) and every alias move. */
export function ModelPage({ name }: { name: string }) {
  const [notice, setNotice] = useState<string>()
  const data = useApi(async (signal) => {
    const [model, versions, history] = await Promise.all([getModel(name, signal), searchVersions(name, signal), aliasHistory(name, signal)])
    return { model, versions, history }
  }, [name, notice])
  return (
    <>
      <div class="page-head">
        <div>
          <div class="breadcrumbs"><a href="/models">Models</a> /</div>
          <h1>{name}</h1>
        </div>
      </div>
      {notice && <p class="notice" role="status">{notice}</p>}
      <Loaded state={data} what="the model">
        {({ model, versions, history }) => (
          <>
            {model.description && <p>{model.description}</p>}
            <section class="card" aria-labelledby="aliases-title">
              <h2 id="aliases-title">Aliases</h2>
              <Aliases model={model} versions={versions} onChanged={setNotice} />
            </section>
            <section aria-labelledby="versions-title">
              <h2 id="versions-title">Versions ({versions.length})</h2>
              <VersionsTable name={name} versions={versions} />
            </section>
            <section aria-labelledby="history-title">
              <h2 id="history-title">Alias history</h2>
              <AliasHistory history={history} />
            </section>
          </>
        )}
      </Loaded>
    </>
  )
}
