import { useState } from 'preact/hooks'
import { Loaded } from '../components/message.js'
import { formatNumber, formatTime } from '../lib/format.js'
import { recentPredictions } from '../lib/monitoring-api.js'
import { useApi } from '../lib/use-api.js'

function compact(columns: Record<string, unknown[]>): string {
  const text = Object.entries(columns)
    .map(([k, v]) => `${k}=${v.length === 1 ? show(v[0]) : `[${v.slice(0, 3).map(show).join(', ')}${v.length > 3 ? ', …' : ''}]`}`)
    .join(' ')
  return text.length > 90 ? `${text.slice(0, 89)}…` : text
}

function show(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value, 3) : JSON.stringify(value)
}

/** The prediction log of a time range, oldest first, each row with the ground truth that came back for it. */
export function PredictionTable({ deployment, startTime }: { deployment: string; startTime: number }) {
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined])
  const page = useApi((signal) => recentPredictions(deployment, startTime, 25, tokens.at(-1), signal), [deployment, startTime, tokens.at(-1)])
  return (
    <Loaded state={page} what="the prediction log">
      {({ predictions, nextPageToken }) => (
        <>
          {predictions.length === 0 ? (
            <p class="subtitle">No predictions logged for this deployment.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Prediction id</th>
                    <th scope="col" class="num">Version</th>
                    <th scope="col">Inputs</th>
                    <th scope="col">Outputs</th>
                    <th scope="col">Ground truth</th>
                    <th scope="col" class="num">Latency</th>
                  </tr>
                </thead>
                <tbody>
                  {predictions.map((p) => (
                    <tr key={p.prediction_id}>
                      <td>{formatTime(p.time)}</td>
                      <td class="mono">{p.prediction_id}</td>
                      <td class="num">{p.version}</td>
                      <td class="mono">{compact(p.inputs)}</td>
                      <td class="mono">{p.error ? <span class="badge bad" title={p.error}>error</span> : compact(p.outputs)}</td>
                      <td class="mono">{p.label === undefined ? <span class="subtitle">not yet</span> : show(p.label)}</td>
                      <td class="num">{formatNumber(p.latency_ms, 3)} ms</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="pager" role="navigation" aria-label="Prediction log pages">
            <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>Previous</button>
            <span>Page {tokens.length}</span>
            <button type="button" disabled={!nextPageToken} onClick={() => setTokens([...tokens, nextPageToken])}>Next</button>
          </div>
        </>
      )}
    </Loaded>
  )
}
