import { Loaded } from '../components/message.js'
import { formatBytes, formatTime } from '../lib/format.js'
import { getVersion, lineageOfVersion } from '../lib/registry-api.js'
import { runName } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { Tensor } from '../lib/wire-types.js'

function shapeOf(t: Tensor): string {
  return `[${t.shape.map((d, i) => (d < 0 ? (t.dim_params?.[i] ?? '?') : d)).join(', ')}]`
}

function TensorTable({ caption, tensors }: { caption: string; tensors: Tensor[] }) {
  return (
    <div class="table-wrap">
      {/* Fixed column widths so the inputs and outputs tables line up one under the other. */}
      <table style={{ tableLayout: 'fixed' }}>
        <colgroup><col style={{ width: '40%' }} /><col style={{ width: '20%' }} /><col style={{ width: '40%' }} /></colgroup>
        <caption style={{ textAlign: 'left', padding: '6px 10px', fontWeight: 600 }}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Shape</th>
          </tr>
        </thead>
        <tbody>
          {tensors.map((t) => (
            <tr key={t.name}>
              <td class="mono">{t.name}</td>
              <td>{t.datatype}</td>
              <td class="mono">{shapeOf(t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** One model version: its ONNX signature, pinned bytes, and lineage (run before, deployments after). */
export function VersionPage({ name, version }: { name: string; version: string }) {
  const data = useApi(async (signal) => {
    const [v, lineage] = await Promise.all([getVersion(name, version, signal), lineageOfVersion(name, version, signal)])
    return { v, lineage }
  }, [name, version])
  return (
    <>
      <div class="page-head">
        <div>
          <div class="breadcrumbs">
            <a href="/models">Models</a> / <a href={`/models/${encodeURIComponent(name)}`}>{name}</a> /
          </div>
          <h1>Version {version}</h1>
        </div>
      </div>
      <Loaded state={data} what="the version">
        {({ v, lineage }) => (
          <>
            <div class="stats">
              <div class="stat"><div class="label">Status</div><div class="value">{v.status.toLowerCase()}</div></div>
              <div class="stat"><div class="label">Registered</div><div class="value" style={{ fontSize: 15 }}>{formatTime(v.creation_timestamp)}</div></div>
              <div class="stat"><div class="label">Size</div><div class="value">{formatBytes(v.size_bytes)}</div></div>
              <div class="stat"><div class="label">Aliases</div><div class="value" style={{ fontSize: 15 }}>{(v.aliases ?? []).map((a) => `@${a}`).join(' ') || '—'}</div></div>
            </div>
            <section class="card" aria-labelledby="lineage-title">
              <h2 id="lineage-title">Lineage</h2>
              <p>
                Trained by run:{' '}
                {lineage.run ? <a href={`/runs/${lineage.run.info.run_id}`}>{runName(lineage.run)}</a> : <span class="subtitle">not recorded</span>}
              </p>
              <p>Source: <code>{v.source}</code></p>
              <p>SHA-256: <code>{v.sha256 ?? '—'}</code></p>
              <p>
                Served by:{' '}
                {(lineage.deployments ?? []).length === 0
                  ? <span class="subtitle">no deployment</span>
                  : lineage.deployments!.map((d) => (
                      <span key={`${d.deployment}-${d.role}`} style={{ marginRight: 10 }}>
                        <a href={`/deployments/${encodeURIComponent(d.deployment)}`}>{d.deployment}</a> ({d.role}
                        {d.weight !== undefined ? `, weight ${d.weight}` : ''}
                        {d.share !== undefined ? `, share ${d.share}` : ''})
                      </span>
                    ))}
              </p>
            </section>
            <section class="card" aria-labelledby="signature-title">
              <h2 id="signature-title">Signature</h2>
              {v.signature ? (
                <>
                  <div style={{ display: 'grid', gap: 12, marginBottom: 8 }}>
                    <TensorTable caption="Inputs" tensors={v.signature.inputs} />
                    <TensorTable caption="Outputs" tensors={v.signature.outputs} />
                  </div>
                  <p class="subtitle">
                    ONNX IR {v.signature.ir_version ?? '?'} · produced by {v.signature.producer_name || 'unknown'} {v.signature.producer_version ?? ''}
                  </p>
                </>
              ) : (
                <p class="subtitle">No signature recorded.</p>
              )}
            </section>
          </>
        )}
      </Loaded>
    </>
  )
}
