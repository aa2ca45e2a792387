import { Type as T, type TSchema } from '@sinclair/typebox'
import type { StoredPipeline, PipelineRun, StepAttempt } from '../pipelines/pipeline-store.js'
import type { PipelineSpec } from '../pipelines/pipeline-spec.js'

/** Wire shapes of `/api/plinth/v1/pipelines` and `/pipeline-runs`: snake_case, times in ms. */
const Str = T.String()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()])
const StrMap = T.Record(T.String(), T.String())
const Name = T.Object({ name: Str })
const Id = T.Object({ id: Str })

const PipelineWire = T.Object({ name: Str, version: T.Integer(), source: Str, base_dir: Nullable(Str), created_at: T.Integer(), updated_at: T.Integer(), steps: Opt(T.Array(Str)), params: Opt(T.Record(T.String(), T.Unknown())), triggers: Opt(T.Array(T.Unknown())), concurrency: Opt(Str) })
const RunWire = T.Object({
  id: Str, pipeline: Str, pipeline_version: T.Integer(), status: Str, params: StrMap,
  trigger: T.Object({ kind: Str, event_id: Opt(Str), payload: Opt(T.Unknown()) }),
  created_at: T.Integer(), started_at: Nullable(T.Integer()), ended_at: Nullable(T.Integer()), error: Nullable(Str),
  tracking_run_id: Nullable(Str), resumed_from: Nullable(Str),
})
const AttemptWire = T.Object({
  step: Str, attempt: T.Integer(), status: Str, cache_key: Nullable(Str),
  cached_from: Nullable(T.Object({ run_id: Str, step: Str, attempt: T.Integer() })),
  ready_at: Nullable(T.Integer()), started_at: Nullable(T.Integer()), ended_at: Nullable(T.Integer()),
  exit_code: Nullable(T.Integer()), error: Nullable(Str), output_params: StrMap, output_artifacts: StrMap,
  metrics: T.Record(T.String(), T.Number()), log_uri: Nullable(Str), tracking_run_id: Nullable(Str), worker: Nullable(Str),
})
const Launch = T.Object({ started: T.Boolean(), run_id: Opt(Str), replaced: Opt(Str), reason: Opt(Str), active_run_id: Opt(Str) })

export const PipelineSchemas = {
  apply: { response: { 200: T.Object({ pipeline: PipelineWire }) } },
  list: { response: { 200: T.Object({ pipelines: T.Array(PipelineWire) }) } },
  get: { params: Name, response: { 200: T.Object({ pipeline: PipelineWire }) } },
  launch: { params: Name, body: T.Object({ params: Opt(T.Record(T.String(), T.Union([Str, T.Number(), T.Boolean()]))), concurrency: Opt(T.Union([T.Literal('allow'), T.Literal('forbid'), T.Literal('replace')])), event_id: Opt(Str) }, { additionalProperties: false }), response: { 200: Launch } },
  runs: { params: Name, querystring: T.Object({ max_results: Opt(T.Integer({ minimum: 1, maximum: 1000 })) }), response: { 200: T.Object({ runs: T.Array(RunWire) }) } },
  run: { params: Id, response: { 200: T.Object({ run: RunWire, steps: T.Array(T.Object({ name: Str, status: Str, attempts: T.Array(AttemptWire) })) }) } },
  cancel: { params: Id, response: { 200: T.Object({ run: RunWire }) } },
  resume: { params: Id, body: T.Object({ from_step: Opt(T.String({ minLength: 1 })) }, { additionalProperties: false }), response: { 200: Launch } },
  log: { params: T.Object({ id: Str, step: Str }), querystring: T.Object({ attempt: Opt(T.Integer({ minimum: 1 })) }) },
}

export function pipelineToWire(p: StoredPipeline, spec?: PipelineSpec) {
  return {
    name: p.name, version: p.version, source: p.source, base_dir: p.baseDir, created_at: p.createdAt, updated_at: p.updatedAt,
    ...(spec ? { steps: spec.steps.map((s) => s.name), params: spec.params, triggers: spec.triggers, concurrency: spec.concurrency } : {}),
  }
}

export function runToWire(r: PipelineRun) {
  return {
    id: r.id, pipeline: r.pipeline, pipeline_version: r.pipelineVersion, status: r.status, params: r.params,
    trigger: { kind: r.trigger.kind, ...(r.trigger.eventId === undefined ? {} : { event_id: r.trigger.eventId }), ...(r.trigger.payload === undefined ? {} : { payload: r.trigger.payload }) },
    created_at: r.createdAt, started_at: r.startedAt, ended_at: r.endedAt, error: r.error, tracking_run_id: r.trackingRunId, resumed_from: r.resumedFrom,
  }
}

export function attemptToWire(a: StepAttempt) {
  return {
    step: a.step, attempt: a.attempt, status: a.status, cache_key: a.cacheKey,
    cached_from: a.cachedFrom && { run_id: a.cachedFrom.runId, step: a.cachedFrom.step, attempt: a.cachedFrom.attempt },
    ready_at: a.readyAt, started_at: a.startedAt, ended_at: a.endedAt, exit_code: a.exitCode, error: a.error,
    output_params: a.outputParams, output_artifacts: a.outputArtifacts, metrics: a.metrics, log_uri: a.logUri, tracking_run_id: a.trackingRunId, worker: a.worker,
  }
}

/** Steps in file order with their attempts; a step not reached yet shows `pending`. */
export function stepsToWire(stepNames: readonly string[], attempts: readonly StepAttempt[]) {
  return stepNames.map((name) => {
    const mine = attempts.filter((a) => a.step === name)
    return { name, status: mine.at(-1)?.status ?? 'pending', attempts: mine.map(attemptToWire) }
  })
}
