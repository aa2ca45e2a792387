import { AppError } from '../../shared/errors.js'
import type {
  DatasetInput,
  Experiment,
  KeyValue,
  Metric,
  MetricWithRunId,
  Run,
  RunInfo,
  ViewType,
} from '../../tracking/index.js'

/**
 * Domain objects in MLflow's JSON: snake_case keys, int64 as numbers, enums by name, and
 * empty lists and unset fields left out, as protobuf's JSON printer does.
 */
type Wire = Record<string, unknown>

/** Protobuf JSON writes non-finite doubles as strings. */
export function wireDouble(value: number): number | string {
  if (Number.isFinite(value)) return value
  if (Number.isNaN(value)) return 'NaN'
  return value > 0 ? 'Infinity' : '-Infinity'
}

/** Reads a double the way protobuf's JSON parser does: a number or a numeric string. */
export function readDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY
    const parsed = Number(value)
    if (value.trim() !== '' && !Number.isNaN(parsed)) return parsed
  }
  throw new AppError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: it must be a number (or "NaN", "Infinity", "-Infinity").`)
}

function list<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined
}

export function keyValuesToWire(items: KeyValue[]): KeyValue[] | undefined {
  return list(items.map(({ key, value }) => ({ key, value })))
}

export function experimentToWire(e: Experiment): Wire {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: keyValuesToWire(e.tags),
  }
}

export function runInfoToWire(info: RunInfo): Wire {
  return {
    run_uuid: info.runId,
    experiment_id: info.experimentId,
    run_name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    end_time: info.endTime,
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
  }
}

export function metricToWire(m: Metric): Wire {
  return { key: m.key, value: wireDouble(m.value), timestamp: m.timestamp, step: m.step }
}

export function metricWithRunIdToWire(m: MetricWithRunId): Wire {
  return { ...metricToWire(m), run_id: m.runId }
}

function datasetInputToWire(input: DatasetInput): Wire {
  const d = input.dataset
  return {
    tags: keyValuesToWire(input.tags),
    dataset: {
      name: d.name,
      digest: d.digest,
      source_type: d.sourceType,
      source: d.source,
      schema: d.schema,
      profile: d.profile,
    },
  }
}

export function runToWire(run: Run): Wire {
  return {
    info: runInfoToWire(run.info),
    data: {
      metrics: list(run.data.metrics.map(metricToWire)),
      params: keyValuesToWire(run.data.params),
      tags: keyValuesToWire(run.data.tags),
    },
    inputs: { dataset_inputs: list(run.inputs.datasetInputs.map(datasetInputToWire)) },
  }
}

/** Accepts the enum by name or by number, as protobuf's JSON parser does. */
export function readViewType(value: unknown): ViewType | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const byNumber: Record<string, ViewType> = { '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL' }
  const name = byNumber[String(value)] ?? String(value).toUpperCase()
  if (name === 'ACTIVE_ONLY' || name === 'DELETED_ONLY' || name === 'ALL') return name
  throw new AppError('INVALID_PARAMETER_VALUE', `Invalid value '${String(value)}' for parameter 'view_type' supplied. Use ACTIVE_ONLY, DELETED_ONLY or ALL.`)
}

export function datasetInputsFromWire(items: Array<Record<string, any>> | undefined): DatasetInput[] {
  return (items ?? []).map((item) => {
    const d = item.dataset ?? {}
    return {
      tags: (item.tags ?? []) as KeyValue[],
      dataset: {
        name: d.name,
        digest: d.digest,
        sourceType: d.source_type,
        source: d.source,
        schema: d.schema,
        profile: d.profile,
      },
    }
  })
}
