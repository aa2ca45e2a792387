import type { Selectable } from 'kysely'
import type { TriggerInfo } from '../../pipelines/pipeline-launcher.js'
import type { AttemptStatus, PipelineRun, RunStatus, StepAttempt, StoredPipeline } from '../../pipelines/pipeline-store.js'
import type { PipelineRunTable, PipelineStepAttemptTable, PipelineTable } from './pipeline-schema.js'

const num = (v: number | string | null): number | null => (v === null ? null : Number(v))

export function toPipeline(row: Selectable<PipelineTable>): StoredPipeline {
  return { name: row.name, source: row.source, version: Number(row.version), baseDir: row.base_dir, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) }
}

export function toRun(row: Selectable<PipelineRunTable>): PipelineRun {
  const trigger: TriggerInfo = {
    kind: row.trigger_kind as TriggerInfo['kind'],
    ...(row.trigger_event_id === null ? {} : { eventId: row.trigger_event_id }),
    ...(row.trigger_payload === null ? {} : { payload: JSON.parse(row.trigger_payload) as unknown }),
  }
  return {
    id: row.id,
    pipeline: row.pipeline,
    pipelineVersion: Number(row.pipeline_version),
    source: row.source,
    baseDir: row.base_dir,
    params: JSON.parse(row.params) as Record<string, string>,
    trigger,
    status: row.status as RunStatus,
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    endedAt: num(row.ended_at),
    error: row.error,
    trackingRunId: row.tracking_run_id,
    resumedFrom: row.resumed_from,
    owner: row.owner,
    heartbeatAt: num(row.heartbeat_at),
  }
}

export function toAttempt(row: Selectable<PipelineStepAttemptTable>): StepAttempt {
  return {
    runId: row.run_id,
    step: row.step,
    attempt: Number(row.attempt),
    status: row.status as AttemptStatus,
    cacheKey: row.cache_key,
    cachedFrom: row.cached_from === null ? null : (JSON.parse(row.cached_from) as StepAttempt['cachedFrom']),
    readyAt: num(row.ready_at),
    startedAt: num(row.started_at),
    endedAt: num(row.ended_at),
    exitCode: num(row.exit_code),
    error: row.error,
    outputParams: JSON.parse(row.output_params) as Record<string, string>,
    outputArtifacts: JSON.parse(row.output_artifacts) as Record<string, string>,
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    logUri: row.log_uri,
    trackingRunId: row.tracking_run_id,
    worker: row.worker,
  }
}

export function attemptRow(a: StepAttempt): PipelineStepAttemptTable {
  return {
    run_id: a.runId,
    step: a.step,
    attempt: a.attempt,
    status: a.status,
    cache_key: a.cacheKey,
    cached_from: a.cachedFrom === null ? null : JSON.stringify(a.cachedFrom),
    ready_at: a.readyAt,
    started_at: a.startedAt,
    ended_at: a.endedAt,
    exit_code: a.exitCode,
    error: a.error,
    output_params: JSON.stringify(a.outputParams),
    output_artifacts: JSON.stringify(a.outputArtifacts),
    metrics: JSON.stringify(a.metrics),
    log_uri: a.logUri,
    tracking_run_id: a.trackingRunId,
    worker: a.worker,
  }
}
