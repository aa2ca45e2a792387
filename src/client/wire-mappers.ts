import type { Experiment, Metric, Run, RunInfo, RunStatus } from './client-types.js'

/** Protobuf JSON as MLflow's server writes it: snake_case, empty lists and unset fields omitted. */
export type Wire = Record<string, any>

export interface WireMetric {
  key: string
  value: number | string
  timestamp: number
  step: number
}

export interface WireKeyValue {
  key: string
  value: string
}

/** Protobuf JSON has no literal for non-finite doubles; it spells them as strings. */
export function wireDouble(value: number): number | string {
  if (Number.isFinite(value)) return value
  if (Number.isNaN(value)) return 'NaN'
  return value > 0 ? 'Infinity' : '-Infinity'
}

export function readDouble(value: unknown): number {
  if (typeof value === 'number') return value
  if (value === 'Infinity') return Number.POSITIVE_INFINITY
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
}

/** int64 may arrive as a number or, from strict protobuf printers, as a decimal string. */
function readLong(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

export function toKeyValues(record: Record<string, string>): WireKeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }))
}

function toRecord(items: unknown): Record<string, string> {
  const record: Record<string, string> = {}
  if (!Array.isArray(items)) return record
  for (const item of items as Wire[]) {
    if (typeof item?.key === 'string') record[item.key] = String(item.value ?? '')
  }
  return record
}

export function metricFromWire(wire: Wire): Metric {
  return {
    key: String(wire.key),
    value: readDouble(wire.value),
    timestamp: readLong(wire.timestamp) ?? 0,
    step: readLong(wire.step) ?? 0,
  }
}

export function experimentFromWire(wire: Wire): Experiment {
  return {
    experimentId: String(wire.experiment_id),
    name: String(wire.name ?? ''),
    artifactLocation: String(wire.artifact_location ?? ''),
    lifecycleStage: String(wire.lifecycle_stage ?? 'active'),
    creationTime: readLong(wire.creation_time),
    lastUpdateTime: readLong(wire.last_update_time),
    tags: toRecord(wire.tags),
  }
}

export function runInfoFromWire(wire: Wire): RunInfo {
  return {
    // Older servers fill only the deprecated run_uuid.
    runId: String(wire.run_id ?? wire.run_uuid),
    experimentId: String(wire.experiment_id),
    runName: String(wire.run_name ?? ''),
    userId: String(wire.user_id ?? ''),
    status: (wire.status ?? 'RUNNING') as RunStatus,
    startTime: readLong(wire.start_time) ?? 0,
    endTime: readLong(wire.end_time),
    artifactUri: String(wire.artifact_uri ?? ''),
    lifecycleStage: String(wire.lifecycle_stage ?? 'active'),
  }
}

export function runFromWire(wire: Wire): Run {
  const data: Wire = wire.data ?? {}
  return {
    info: runInfoFromWire(wire.info ?? {}),
    data: {
      metrics: Array.isArray(data.metrics) ? data.metrics.map(metricFromWire) : [],
      params: toRecord(data.params),
      tags: toRecord(data.tags),
    },
  }
}

/**
 * The proxied-artifact path of a run: `mlflow-artifacts:/1/abc/artifacts` (or the
 * `mlflow-artifacts://host/…` form) becomes `1/abc/artifacts`. Other schemes mean the server
 * is not proxying this run's artifacts, so the client cannot upload through it.
 */
export function proxiedArtifactRoot(artifactUri: string): string {
  const match = /^mlflow-artifacts:(\/\/[^/]*)?(\/.*)?$/.exec(artifactUri)
  if (!match) {
    throw new Error(
      `Run artifact URI '${artifactUri}' is not served by the tracking server ` +
        `(expected mlflow-artifacts:/…); start the server with artifact proxying`,
    )
  }
  return (match[2] ?? '').replace(/^\/+|\/+$/g, '')
}

/** Encodes each segment, so names with spaces or `#` survive while `/` stays a separator. */
export function encodeArtifactPath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.includes('..')) {
    // Refused here with a clear message rather than by the server with a vaguer one.
    throw new TypeError(`Artifact path '${path}' must not contain '..' segments`)
  }
  return segments.map((segment) => encodeURIComponent(segment)).join('/')
}
