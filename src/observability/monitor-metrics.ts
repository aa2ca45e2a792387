import { Counter, Gauge, type Registry } from 'prom-client'
import type { Alert, FeatureDrift, Monitor, MonitorRun } from '../monitoring/monitors/monitor-entities.js'

/** What the monitor gauges are read from: the stored monitors, their newest runs and alerts. */
export interface MonitorSnapshotSource {
  list(): Promise<Monitor[]>
  latestRuns(): Promise<MonitorRun[]>
  listAlerts(query: { maxResults: number }): Promise<Alert[]>
}

interface Snapshot {
  names: Map<string, string>
  runs: MonitorRun[]
  alerts: Alert[]
}

const CACHE_MS = 5_000
const MAX_ALERTS = 10_000

/**
 * Monitor results as Prometheus gauges. The values are read from the database at scrape time
 * (cached for a few seconds), not kept in process memory, so every worker of `--workers N` and
 * every replica reports the same numbers, whichever of them ran the monitor. The cluster
 * aggregator sums gauges by default, which would multiply them by the worker count; these take
 * the first worker's value instead.
 */
export class MonitorMetrics {
  readonly runs: Counter<'monitor' | 'outcome'>
  readonly deliveries: Counter<'kind' | 'outcome'>
  #source: MonitorSnapshotSource | undefined
  #cached: { at: number; snapshot: Promise<Snapshot> } | undefined

  constructor(registry: Registry) {
    const registers = [registry]
    const snapshot = () => this.#snapshot()
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: Snapshot) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        aggregator: 'first',
        async collect() {
          this.reset()
          const s = await snapshot()
          if (s) fill(this, s)
        },
      })
    gauge('plinth_drift_score', 'Drift score per feature in the latest monitor run (the test statistic or p-value of its method).', ['deployment', 'model', 'feature', 'method'], (g, s) =>
      eachDrift(s, (labels, f) => f.score !== null && g.set({ ...labels, feature: f.feature, method: f.method }, f.score)),
    )
    gauge('plinth_drift_detected', 'Whether a feature drifted in the latest monitor run (1) or not (0).', ['deployment', 'model', 'feature', 'method'], (g, s) =>
      eachDrift(s, (labels, f) => g.set({ ...labels, feature: f.feature, method: f.method }, f.drift ? 1 : 0)),
    )
    gauge('plinth_drifted_features_ratio', 'Share of drifted features (0..1) in the latest monitor run.', ['deployment', 'model'], (g, s) =>
      eachRun(s, (labels, run) => run.results?.drift && g.set(labels, run.results.drift.share)),
    )
    gauge('plinth_dataset_drift', 'Whether the dataset drifted (1) in the latest monitor run: at least half of its features drifted.', ['deployment', 'model'], (g, s) =>
      eachRun(s, (labels, run) => run.results?.drift && g.set(labels, run.results.drift.datasetDrift ? 1 : 0)),
    )
    gauge('plinth_model_performance', 'Model performance over the latest monitor window, realized (labels) or estimated.', ['deployment', 'model', 'metric', 'kind'], (g, s) =>
      eachRun(s, (labels, run) => {
        for (const [metric, value] of Object.entries(run.results?.performance ?? {})) {
          if (value.realized !== undefined) g.set({ ...labels, metric, kind: 'realized' }, value.realized)
          if (value.estimated !== undefined) g.set({ ...labels, metric, kind: 'estimated' }, value.estimated)
        }
      }),
    )
    gauge('plinth_monitor_last_run_timestamp_seconds', 'When each monitor last ran, seconds since the epoch.', ['monitor'], (g, s) => {
      for (const run of s.runs) g.set({ monitor: s.names.get(run.monitorId) ?? run.monitorId }, run.time / 1000)
    })
    gauge('plinth_alerts_firing', 'Monitor alerts: 1 while firing, 0 otherwise.', ['monitor', 'condition', 'deployment'], (g, s) => {
      for (const a of s.alerts) g.set({ monitor: a.monitorName, condition: a.condition, deployment: a.deployment ?? '' }, a.state === 'firing' ? 1 : 0)
    })
    this.runs = new Counter({ name: 'plinth_monitor_runs_total', help: 'Monitor runs by monitor and outcome (ok, failed) in this process.', labelNames: ['monitor', 'outcome'], registers })
    this.deliveries = new Counter({ name: 'plinth_alert_deliveries_total', help: 'Alert notification attempts by target kind (webhook, alertmanager) and outcome (delivered, retry, failed).', labelNames: ['kind', 'outcome'], registers })
  }

  /** Starts reporting gauges from this source (the monitor store). */
  attach(source: MonitorSnapshotSource): void {
    this.#source = source
    this.#cached = undefined
  }

  /** Forgets the cached snapshot, so the next scrape reads fresh results. */
  invalidate(): void {
    this.#cached = undefined
  }

  #snapshot(): Promise<Snapshot | undefined> {
    const source = this.#source
    if (!source) return Promise.resolve(undefined)
    const now = Date.now()
    if (!this.#cached || now - this.#cached.at > CACHE_MS) {
      const snapshot = (async () => {
        const [monitors, runs, alerts] = await Promise.all([source.list(), source.latestRuns(), source.listAlerts({ maxResults: MAX_ALERTS })])
        return { names: new Map(monitors.map((m) => [m.id, m.spec.name])), runs, alerts }
      })()
      // A failed read is not cached: the next scrape tries again.
      snapshot.catch(() => (this.#cached = undefined))
      this.#cached = { at: now, snapshot }
    }
    return this.#cached.snapshot.catch(() => undefined)
  }
}

type RunLabels = { deployment: string; model: string }

function eachRun(s: Snapshot, visit: (labels: RunLabels, run: MonitorRun) => unknown): void {
  for (const run of s.runs) {
    if (run.outcome !== 'ok' || !run.results) continue
    visit({ deployment: run.results.deployment ?? '', model: run.results.model ?? '' }, run)
  }
}

function eachDrift(s: Snapshot, visit: (labels: RunLabels, f: FeatureDrift) => unknown): void {
  eachRun(s, (labels, run) => {
    for (const f of run.results!.drift?.features ?? []) visit(labels, f)
  })
}
