import { useEffect, useRef, useState } from 'preact/hooks'
import { request } from '../lib/api-client.js'
import { formatNumber, formatPercent } from '../lib/format.js'
import { bucketsOf, parseSamples, quantileBetween, type Sample, sumOf } from '../lib/prometheus.js'
import { useInterval } from '../lib/use-api.js'
import { LineChart } from './line-chart.js'
import { ErrorMessage } from './message.js'

const POLL_MS = 2000
const KEEP = 90
const NAMES = new Set(['plinth_inference_requests_total', 'plinth_inference_failures_total', 'plinth_inference_request_duration_seconds_bucket', 'plinth_shadow_requests_total'])

interface Snapshot {
  at: number
  requests: number
  failures: number
  shadow: number
  latency: Map<number, number>
}

interface Point {
  time: number
  rate: number
  errorRate: number | null
  p50: number | null
  p99: number | null
  shadowRate: number
}

function snapshot(samples: Sample[], deployment: string): Snapshot {
  const mine = (l: Record<string, string>) => l.deployment === deployment
  return {
    at: Date.now(),
    requests: sumOf(samples, 'plinth_inference_requests_total', mine),
    failures: sumOf(samples, 'plinth_inference_failures_total', mine),
    shadow: sumOf(samples, 'plinth_shadow_requests_total', mine),
    latency: bucketsOf(samples, 'plinth_inference_request_duration_seconds', mine),
  }
}

function pointBetween(a: Snapshot, b: Snapshot): Point {
  const seconds = Math.max(0.001, (b.at - a.at) / 1000)
  const requests = b.requests - a.requests
  const ms = (q: number) => {
    const value = quantileBetween(a.latency, b.latency, q)
    return value === null ? null : value * 1000
  }
  return { time: b.at / 1000, rate: requests / seconds, errorRate: requests > 0 ? (b.failures - a.failures) / requests : null, p50: ms(0.5), p99: ms(0.99), shadowRate: (b.shadow - a.shadow) / seconds }
}

/**
 * Request rate, latency and errors of one deployment, from this server's /metrics polled every
 * two seconds (the counters are per process: with --workers the server sums its workers').
 */
export function LiveTraffic({ deployment }: { deployment: string }) {
  const last = useRef<Snapshot | undefined>(undefined)
  const [points, setPoints] = useState<Point[]>([])
  const [error, setError] = useState<Error>()
  const poll = async () => {
    try {
      const text = await request<string>('/metrics', { text: true })
      const next = snapshot(parseSamples(text, NAMES), deployment)
      if (last.current) {
        const point = pointBetween(last.current, next)
        setPoints((list) => [...list.slice(-(KEEP - 1)), point])
      }
      last.current = next
      setError(undefined)
    } catch (e) {
      setError(e as Error)
    }
  }
  useInterval(poll, POLL_MS)
  useEffect(() => void poll(), [])
  const latest = points.at(-1)
  return (
    <section class="card" aria-labelledby="traffic-title">
      <h2 id="traffic-title">Live traffic</h2>
      {error && <ErrorMessage error={error} title="Could not read /metrics" />}
      <div class="stats" aria-live="polite">
        <div class="stat"><div class="label">Requests / s</div><div class="value" data-testid="request-rate">{latest ? formatNumber(Number(latest.rate.toFixed(2))) : '…'}</div></div>
        <div class="stat"><div class="label">Errors</div><div class="value">{latest ? formatPercent(latest.errorRate) : '…'}</div></div>
        <div class="stat"><div class="label">p50 latency</div><div class="value">{latest?.p50 != null ? `${formatNumber(latest.p50, 3)} ms` : '—'}</div></div>
        <div class="stat"><div class="label">p99 latency</div><div class="value">{latest?.p99 != null ? `${formatNumber(latest.p99, 3)} ms` : '—'}</div></div>
        <div class="stat"><div class="label">Shadow requests / s</div><div class="value">{latest ? formatNumber(Number(latest.shadowRate.toFixed(2))) : '…'}</div></div>
      </div>
      {points.length >= 2 && (
        <LineChart
          title="Requests per second"
          time
          x={points.map((p) => p.time)}
          series={[{ label: 'requests/s', values: points.map((p) => p.rate) }, { label: 'shadow/s', values: points.map((p) => p.shadowRate) }]}
          height={180}
        />
      )}
    </section>
  )
}
