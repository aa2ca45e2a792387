import type { Selectable } from 'kysely'
import type {
  Experiment,
  KeyValue,
  LifecycleStage,
  Metric,
  RunInfo,
  RunStatus,
} from '../../../tracking/tracking-entities.js'
import type { ExperimentTable, LatestMetricTable, MetricTable, RunTable } from '../schema.js'

export function toExperiment(row: Selectable<ExperimentTable>, tags: KeyValue[]): Experiment {
  return {
    experimentId: row.experiment_id,
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time),
    tags,
  }
}

export function toRunInfo(row: Selectable<RunTable>): RunInfo {
  const info: RunInfo = {
    runId: row.run_uuid,
    experimentId: row.experiment_id,
    runName: row.name,
    userId: row.user_id,
    status: row.status as RunStatus,
    startTime: Number(row.start_time),
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  }
  if (row.end_time !== null) info.endTime = Number(row.end_time)
  return info
}

export function fromRunInfo(info: RunInfo): Selectable<RunTable> {
  return {
    run_uuid: info.runId,
    experiment_id: info.experimentId,
    name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    end_time: info.endTime ?? null,
    lifecycle_stage: info.lifecycleStage,
    artifact_uri: info.artifactUri,
    deleted_time: null,
  }
}

type PointRow = Pick<MetricTable, 'value' | 'timestamp' | 'step' | 'is_nan'>

/** SQLite cannot store NaN (it becomes NULL), so NaN is kept as is_nan = 1, as MLflow does. */
export function toMetric(row: PointRow & { key: string }): Metric {
  return {
    key: row.key,
    value: row.is_nan ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  }
}

/** The value column of a metric: NaN is stored as 0 beside is_nan = 1 (see toMetric). */
export function storedValue(metric: Metric): number {
  return Number.isNaN(metric.value) ? 0 : metric.value
}

export function toLatestMetricRow(runId: string, metric: Metric): LatestMetricTable {
  return {
    run_uuid: runId,
    key: metric.key,
    step: metric.step,
    timestamp: metric.timestamp,
    value: storedValue(metric),
    is_nan: Number.isNaN(metric.value) ? 1 : 0,
  }
}

/** Groups rows by run id, keeping their order. */
export function groupByRun<T extends { run_uuid: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const list = groups.get(row.run_uuid)
    if (list) list.push(row)
    else groups.set(row.run_uuid, [row])
  }
  return groups
}
