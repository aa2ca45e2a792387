import { formatNumber, formatTime } from '../lib/format.js'
import type { DeploymentMonitoring } from '../lib/wire-types.js'

type DriftOverTime = DeploymentMonitoring['drift_over_time']

/**
 * Drifted cells are red, the rest green; the deeper the colour, the larger the score relative
 * to that feature's largest (methods differ in scale, so features are not compared by colour).
 */
function colour(score: number | null, max: number, drift: boolean): string {
  if (score === null) return '#e4e7eb'
  const t = max > 0 ? Math.min(1, Math.abs(score) / max) : 0
  const lightness = 88 - t * 43
  return drift ? `hsl(4, 72%, ${lightness}%)` : `hsl(140, 38%, ${Math.max(lightness, 70)}%)`
}

/** Drift per feature over monitor runs: one row per feature, one column per run. */
export function DriftHeatmap({ drift }: { drift: DriftOverTime }) {
  const features = Object.keys(drift).sort()
  if (features.length === 0) return <p class="subtitle">No drift results in this range. A monitor with a reference computes them on each run.</p>
  const times = [...new Set(features.flatMap((f) => drift[f]!.map((p) => p.time)))].sort((a, b) => a - b).slice(-40)
  return (
    <div style={{ overflowX: 'auto' }}>
      <table class="heatmap" aria-label="Drift per feature over time">
        <thead>
          <tr>
            <th scope="col" class="feature">Feature</th>
            {times.map((t) => <th key={t} scope="col" class="sr-only">{formatTime(t)}</th>)}
          </tr>
        </thead>
        <tbody>
          {features.map((feature) => {
            const points = new Map(drift[feature]!.map((p) => [p.time, p]))
            const max = Math.max(0, ...drift[feature]!.map((p) => Math.abs(p.score ?? 0)))
            return (
              <tr key={feature}>
                <th scope="row" class="feature mono">{feature}</th>
                {times.map((t) => {
                  const p = points.get(t)
                  const text = p ? `${feature} at ${formatTime(t)}: ${p.method} ${formatNumber(p.score)}${p.drift ? ' — drift' : ''}` : `${feature} at ${formatTime(t)}: no result`
                  return <td key={t} class="cell" style={{ background: colour(p?.score ?? null, max, p?.drift ?? false) }} title={text} aria-label={text} />
                })}
              </tr>
            )
          })}
        </tbody>
      </table>
      <div class="legend-row">
        <span><span class="swatch" style={{ background: colour(1, 1, true) }} /> drift</span>
        <span><span class="swatch" style={{ background: colour(0.2, 1, false) }} /> no drift</span>
        <span><span class="swatch" style={{ background: '#e4e7eb' }} /> no result</span>
        <span>
          {formatTime(times[0])} → {formatTime(times.at(-1))}, {times.length} runs
        </span>
      </div>
    </div>
  )
}
