import { useState } from 'preact/hooks'
import { ArtifactBrowser } from '../components/artifact-browser.js'
import { KeyValueTable } from '../components/key-value-table.js'
import { Loaded } from '../components/message.js'
import { MetricCharts } from '../components/metric-charts.js'
import { formatDuration, formatNumber, formatTime } from '../lib/format.js'
import { lineageOfRun } from '../lib/registry-api.js'
import { getRun, runName } from '../lib/tracking-api.js'
import { useApi } from '../lib/use-api.js'
import type { ModelVersion, Run } from '../lib/wire-types.js'
import { RegisterForm } from './register-form.js'

function Versions({ runId }: { runId: string }) {
  const [registered, setRegistered] = useState<ModelVersion>()
  const lineage = useApi((signal) => lineageOfRun(runId, signal), [runId, registered])
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Registered models</h2>
      {registered && (
        <p class="notice" role="status">
          Registered <a href={`/models/${encodeURIComponent(registered.name)}/versions/${registered.version}`}>{registered.name} version {registered.version}</a>.
        </p>
      )}
      <Loaded state={lineage} what="lineage">
        {(l) =>
          (l.model_versions ?? []).length === 0 ? (
            <p class="subtitle">No model version comes from this run yet.</p>
          ) : (
            <ul>
              {l.model_versions!.map((v) => (
                <li key={`${v.name}/${v.version}`}>
                  <a href={`/models/${encodeURIComponent(v.name)}/versions/${v.version}`}>
                    {v.name} v{v.version}
                  </a>
                  {(v.aliases ?? []).map((a) => (
                    <span key={a} class="badge info" style={{ marginLeft: 6 }}>@{a}</span>
                  ))}
                  {(l.deployments ?? []).filter((d) => d.model === v.name && d.version === v.version).map((d) => (
                    <span key={d.deployment}> · served by <a href={`/deployments/${encodeURIComponent(d.deployment)}`}>{d.deployment}</a></span>
                  ))}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <RegisterForm runId={runId} onRegistered={setRegistered} />
    </section>
  )
}

function RunBody({ run }: { run: Run }) {
  const metrics = run.data.metrics ?? []
  return (
    <>
      <div class="page-head">
        <div>
          <div class="breadcrumbs">
            <a href={`/experiments/${run.info.experiment_id}`}>Experiment {run.info.experiment_id}</a> / run
          </div>
          <h1>{runName(run)}</h1>
          <p class="subtitle mono">{run.info.run_id}</p>
        </div>
        <a class="button" href={`/compare?runs=${run.info.run_id}`}>Open in compare</a>
      </div>
      <div class="stats">
        <div class="stat"><div class="label">Status</div><div class="value">{run.info.status.toLowerCase()}</div></div>
        <div class="stat"><div class="label">Started</div><div class="value" style={{ fontSize: 15 }}>{formatTime(run.info.start_time)}</div></div>
        <div class="stat"><div class="label">Duration</div><div class="value">{formatDuration(run.info.end_time && run.info.start_time ? run.info.end_time - run.info.start_time : undefined)}</div></div>
        <div class="stat"><div class="label">User</div><div class="value" style={{ fontSize: 15 }}>{run.info.user_id || '—'}</div></div>
      </div>
      {metrics.length > 0 && <MetricCharts runs={[run]} keys={metrics.map((m) => m.key).sort().slice(0, 4)} />}
      <div class="grid-2">
        <section class="card" aria-labelledby="metrics-title">
          <h2 id="metrics-title">Metrics (latest)</h2>
          <KeyValueTable rows={metrics.map((m) => ({ key: m.key, value: formatNumber(m.value), extra: String(m.step) }))} numeric extraLabel="Step" />
        </section>
        <section class="card" aria-labelledby="params-title">
          <h2 id="params-title">Parameters</h2>
          <KeyValueTable rows={(run.data.params ?? []).map((p) => ({ key: p.key, value: p.value }))} />
        </section>
      </div>
      <Versions runId={run.info.run_id} />
      <section class="card" aria-labelledby="artifacts-title">
        <h2 id="artifacts-title">Artifacts</h2>
        <ArtifactBrowser runId={run.info.run_id} />
      </section>
      <section class="card" aria-labelledby="tags-title">
        <h2 id="tags-title">Tags</h2>
        <KeyValueTable rows={(run.data.tags ?? []).map((t) => ({ key: t.key, value: t.value }))} />
      </section>
    </>
  )
}

/** One run: its metrics charted, params, artifacts, and the model versions registered from it. */
export function RunPage({ runId }: { runId: string }) {
  const run = useApi((signal) => getRun(runId, signal), [runId])
  return <Loaded state={run} what="the run">{(r) => <RunBody run={r} />}</Loaded>
}
