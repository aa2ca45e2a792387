import { useState } from 'preact/hooks'
import { PipelineDag } from '../components/pipeline-dag.js'
import { ErrorMessage, Loaded, Loading } from '../components/message.js'
import { formatDuration, formatTime } from '../lib/format.js'
import { getPipeline, getPipelineRun, pipelinesMissing, resumeRun, runEnded, type RunStep, statusKind, stepLog } from '../lib/pipeline-api.js'
import { pipelineGraph } from '../lib/pipeline-graph.js'
import { navigate } from '../lib/router.js'
import { useApi, useInterval } from '../lib/use-api.js'
import { PipelinesUnavailable } from './pipelines-page.js'

function StepDetail({ runId, step, canRerun, onRerun }: { runId: string; step: RunStep; canRerun: boolean; onRerun: (step: string) => void }) {
  const last = step.attempts.at(-1)
  const hasLog = last !== undefined && last.status !== 'running' && last.status !== 'skipped'
  const log = useApi((signal) => (hasLog ? stepLog(runId, step.name, last.attempt, signal) : Promise.resolve('')), [runId, step.name, last?.attempt, hasLog])
  return (
    <section class="card" aria-labelledby="step-title">
      <div class="page-head" style={{ marginBottom: 8 }}>
        <h2 id="step-title" style={{ margin: 0 }}>Step {step.name} <span class={`badge ${statusKind(step.status)}`}>{step.status}</span></h2>
        <button type="button" disabled={!canRerun} onClick={() => onRerun(step.name)} title={canRerun ? `Starts a new run in which ${step.name} and every step after it run again; the others are re-used` : 'The run has not ended yet'}>
          Re-run from {step.name}
        </button>
      </div>
      {step.attempts.length === 0 ? <p class="subtitle">Not started.</p> : (
        <div class="table-wrap" style={{ marginBottom: 12 }}>
          <table>
            <thead><tr><th scope="col" class="num">Attempt</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Exit</th><th scope="col">Outputs</th><th scope="col">Metrics</th><th scope="col">Error</th></tr></thead>
            <tbody>
              {step.attempts.map((a) => (
                <tr key={a.attempt}>
                  <td class="num">{a.attempt}</td>
                  <td><span class={`badge ${statusKind(a.status)}`}>{a.status}</span>{a.cached_from && <span class="subtitle"> from <a class="mono" href={`/pipeline-runs/${encodeURIComponent(a.cached_from.run_id)}`}>{a.cached_from.run_id.slice(0, 12)}</a> #{a.cached_from.attempt}</span>}</td>
                  <td>{formatTime(a.started_at)}</td>
                  <td class="num">{formatDuration(a.started_at && a.ended_at ? a.ended_at - a.started_at : null)}</td>
                  <td class="num">{a.exit_code ?? '—'}</td>
                  <td class="wrap mono">{Object.entries({ ...a.output_params, ...a.output_artifacts }).map(([k, v]) => `${k}=${v}`).join(' ') || '—'}</td>
                  <td class="wrap mono">{Object.entries(a.metrics).map(([k, v]) => `${k}=${v}`).join(' ') || '—'}</td>
                  <td class="wrap">{a.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Log</h3>
      {!hasLog ? <p class="subtitle">{last?.status === 'running' ? 'The log is stored when the attempt ends.' : 'No log: the step did not run.'}</p>
        : log.error ? <ErrorMessage error={log.error} title="No log" /> : log.data === undefined ? <Loading what="the log" /> : <pre class="log" tabIndex={0} aria-label={`Log of ${step.name}`}>{log.data || '(empty)'}</pre>}
    </section>
  )
}

/** One pipeline run: its DAG with step states, a step's attempts and log, and resume. */
export function PipelineRunPage({ runId }: { runId: string }) {
  const [selected, setSelected] = useState<string>()
  const [error, setError] = useState<Error>()
  const data = useApi(async (signal) => {
    const detail = await getPipelineRun(runId, signal)
    const pipeline = await getPipeline(detail.run.pipeline, signal)
    return { ...detail, graph: pipelineGraph(pipeline.source, detail.steps.map((s) => s.name)) }
  }, [runId])
  // A run in flight is re-read until it ends, so step states change on screen as they happen.
  useInterval(() => data.data && !runEnded(data.data.run.status) && data.reload(), 1000)
  if (pipelinesMissing(data.error)) return <><h1>Pipeline run</h1><PipelinesUnavailable /></>
  const resume = async (fromStep?: string) => {
    setError(undefined)
    try {
      const result = await resumeRun(runId, fromStep)
      if (result.started && result.run_id) navigate(`/pipeline-runs/${encodeURIComponent(result.run_id)}`)
      else setError(new Error(result.reason ?? 'The run was not resumed.'))
    } catch (e) {
      setError(e as Error)
    }
  }
  return (
    <Loaded state={data} what="the pipeline run">
      {({ run, steps, graph }) => {
        const byName = new Map(steps.map((s) => [s.name, s]))
        const current = byName.get(selected ?? '') ?? steps.find((s) => s.status === 'failed') ?? steps[0]
        return (
          <>
            <div class="page-head">
              <div>
                <div class="breadcrumbs"><a href="/pipelines">Pipelines</a> / <a href={`/pipelines/${encodeURIComponent(run.pipeline)}`}>{run.pipeline}</a> /</div>
                <h1>Run <span class="mono">{run.id.slice(0, 12)}</span> <span class={`badge ${statusKind(run.status)}`}>{run.status}</span></h1>
                <p class="subtitle">Started {formatTime(run.started_at ?? run.created_at)} by {run.trigger.kind}{run.resumed_from ? `, resumed from ${run.resumed_from.slice(0, 12)}` : ''}</p>
              </div>
              {['failed', 'cancelled'].includes(run.status) && <button type="button" class="primary" onClick={() => resume()} title="Starts a new run that re-uses the steps that succeeded and re-runs from the first one that did not">
                Re-run from failed step
              </button>}
            </div>
            {error && <ErrorMessage error={error} title="Could not re-run" />}
            {run.error && <p class="message error">{run.error}</p>}
            <section class="card" aria-label="Steps">
              <PipelineDag nodes={graph} selected={current?.name} onSelect={setSelected} status={(name) => ({ label: byName.get(name)?.status ?? 'pending', kind: statusKind(byName.get(name)?.status ?? '') })} />
            </section>
            {current && <StepDetail runId={run.id} step={current} canRerun={runEnded(run.status)} onRerun={resume} />}
          </>
        )
      }}
    </Loaded>
  )
}
