import type { Kysely } from 'kysely'
import { ACTIVE_RUN_STATUSES, type AttemptFinish, type AttemptRef, type CreateRunResult, type NewRun, type PipelineRun, type PipelineStore, type RunStatus, type StepAttempt, type StoredPipeline } from '../../pipelines/pipeline-store.js'
import type { Database } from './schema.js'
import type { SqlDatabase } from './sql-database.js'
import { attemptRow, toAttempt, toPipeline, toRun } from './sql-pipeline-rows.js'
import { isUniqueViolation, translated } from './translate-error.js'

export class SqlPipelineStore implements PipelineStore {
  readonly #db: Kysely<Database>

  constructor(database: SqlDatabase) {
    this.#db = database.db
  }

  savePipeline(name: string, source: string, baseDir: string | null, at: number): Promise<StoredPipeline> {
    return translated(() =>
      this.#db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst()
        if (!current) {
          const row = { name, source, version: 1, base_dir: baseDir, created_at: at, updated_at: at }
          await trx.insertInto('pipelines').values(row).execute()
          return toPipeline(row)
        }
        const changed = current.source !== source
        const version = Number(current.version) + (changed ? 1 : 0)
        await trx.updateTable('pipelines').set({ source, version, base_dir: baseDir, updated_at: changed ? at : Number(current.updated_at) }).where('name', '=', name).execute()
        return toPipeline({ ...current, source, version, base_dir: baseDir, updated_at: changed ? at : Number(current.updated_at) })
      }),
    )
  }

  getPipeline(name: string): Promise<StoredPipeline | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst()
      return row && toPipeline(row)
    })
  }

  listPipelines(): Promise<StoredPipeline[]> {
    return translated(async () => (await this.#db.selectFrom('pipelines').selectAll().orderBy('name').execute()).map(toPipeline))
  }

  createRun(run: NewRun, exclusive: boolean): Promise<CreateRunResult> {
    return translated(async () => {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          // Touching the pipeline row first queues concurrent launches of one pipeline (a row lock on PostgreSQL).
          await trx.updateTable('pipelines').set((eb) => ({ version: eb.ref('version') })).where('name', '=', run.pipeline).execute()
          if (run.trigger.eventId !== undefined) {
            const same = await trx.selectFrom('pipeline_runs').select('id').where('pipeline', '=', run.pipeline).where('trigger_event_id', '=', run.trigger.eventId).executeTakeFirst()
            if (same) return { created: false, reason: 'duplicate', runId: same.id } as const
          }
          if (exclusive) {
            const active = await trx.selectFrom('pipeline_runs').select('id').where('pipeline', '=', run.pipeline).where('status', 'in', ACTIVE_RUN_STATUSES).orderBy('created_at').executeTakeFirst()
            if (active) return { created: false, reason: 'forbidden', runId: active.id } as const
          }
          const row = runRow(run)
          await trx.insertInto('pipeline_runs').values(row).execute()
          return { created: true, run: toRun(row) } as const
        })
      } catch (error) {
        if (!isUniqueViolation(error) || run.trigger.eventId === undefined) throw error
        const same = await this.#db.selectFrom('pipeline_runs').select('id').where('pipeline', '=', run.pipeline).where('trigger_event_id', '=', run.trigger.eventId).executeTakeFirstOrThrow()
        return { created: false, reason: 'duplicate', runId: same.id } as const
      }
    })
  }

  getRun(id: string): Promise<PipelineRun | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('pipeline_runs').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toRun(row)
    })
  }

  listRuns(pipeline: string, limit: number): Promise<PipelineRun[]> {
    return translated(async () => (await this.#db.selectFrom('pipeline_runs').selectAll().where('pipeline', '=', pipeline).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toRun))
  }

  activeRuns(pipeline?: string): Promise<PipelineRun[]> {
    return translated(async () => {
      let query = this.#db.selectFrom('pipeline_runs').selectAll().where('status', 'in', ACTIVE_RUN_STATUSES)
      if (pipeline !== undefined) query = query.where('pipeline', '=', pipeline)
      return (await query.orderBy('created_at').execute()).map(toRun)
    })
  }

  claimRun(id: string, owner: string, at: number, takeOverFrom?: string): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .updateTable('pipeline_runs')
        .set((eb) => ({ status: 'running', owner, heartbeat_at: at, started_at: eb.fn.coalesce('started_at', eb.val(at)) }))
        .where('id', '=', id)
        .where((eb) => (takeOverFrom === undefined ? eb('status', '=', 'queued') : eb.and([eb('status', '=', 'running'), eb('owner', '=', takeOverFrom)])))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    })
  }

  heartbeat(owner: string, at: number): Promise<void> {
    return translated(async () => void (await this.#db.updateTable('pipeline_runs').set({ heartbeat_at: at }).where('owner', '=', owner).where('status', '=', 'running').execute()))
  }

  setRunTrackingId(id: string, trackingRunId: string): Promise<void> {
    return translated(async () => void (await this.#db.updateTable('pipeline_runs').set({ tracking_run_id: trackingRunId }).where('id', '=', id).execute()))
  }

  finishRun(id: string, status: Exclude<RunStatus, 'queued' | 'running'>, at: number, error: string | null): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db.updateTable('pipeline_runs').set({ status, ended_at: at, error }).where('id', '=', id).where('status', 'in', ACTIVE_RUN_STATUSES).executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    })
  }

  insertAttempt(attempt: StepAttempt): Promise<void> {
    return translated(async () => void (await this.#db.insertInto('pipeline_step_attempts').values(attemptRow(attempt)).execute()))
  }

  finishAttempt(ref: AttemptRef, finish: AttemptFinish): Promise<boolean> {
    return translated(async () => {
      const result = await this.#db
        .updateTable('pipeline_step_attempts')
        .set({
          status: finish.status,
          started_at: finish.startedAt,
          ended_at: finish.endedAt,
          exit_code: finish.exitCode,
          error: finish.error,
          output_params: JSON.stringify(finish.outputParams),
          output_artifacts: JSON.stringify(finish.outputArtifacts),
          metrics: JSON.stringify(finish.metrics),
          log_uri: finish.logUri,
          worker: finish.worker,
        })
        .where('run_id', '=', ref.runId)
        .where('step', '=', ref.step)
        .where('attempt', '=', ref.attempt)
        .where('status', '=', 'running')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    })
  }

  listAttempts(runId: string): Promise<StepAttempt[]> {
    return translated(async () => (await this.#db.selectFrom('pipeline_step_attempts').selectAll().where('run_id', '=', runId).orderBy('step').orderBy('attempt').execute()).map(toAttempt))
  }

  getAttempt(ref: AttemptRef): Promise<StepAttempt | undefined> {
    return translated(async () => {
      const row = await this.#db.selectFrom('pipeline_step_attempts').selectAll().where('run_id', '=', ref.runId).where('step', '=', ref.step).where('attempt', '=', ref.attempt).executeTakeFirst()
      return row && toAttempt(row)
    })
  }

  recordCache(pipeline: string, cacheKey: string, ref: AttemptRef, at: number): Promise<void> {
    const row = { pipeline, cache_key: cacheKey, run_id: ref.runId, step: ref.step, attempt: ref.attempt, created_at: at }
    return translated(async () => void (await this.#db.insertInto('pipeline_step_cache').values(row).onConflict((oc) => oc.doNothing()).execute()))
  }

  findCache(pipeline: string, cacheKey: string): Promise<StepAttempt | undefined> {
    return translated(async () => {
      const row = await this.#db
        .selectFrom('pipeline_step_cache as c')
        .innerJoin('pipeline_step_attempts as a', (join) => join.onRef('a.run_id', '=', 'c.run_id').onRef('a.step', '=', 'c.step').onRef('a.attempt', '=', 'c.attempt'))
        .selectAll('a')
        .where('c.pipeline', '=', pipeline)
        .where('c.cache_key', '=', cacheKey)
        .where('a.status', '=', 'succeeded')
        .orderBy('c.created_at', 'desc')
        .executeTakeFirst()
      return row && toAttempt(row)
    })
  }
}

function runRow(run: NewRun) {
  return {
    id: run.id,
    pipeline: run.pipeline,
    pipeline_version: run.pipelineVersion,
    source: run.source,
    base_dir: run.baseDir,
    params: JSON.stringify(run.params),
    trigger_kind: run.trigger.kind,
    trigger_event_id: run.trigger.eventId ?? null,
    trigger_payload: run.trigger.payload === undefined ? null : JSON.stringify(run.trigger.payload),
    status: 'queued',
    created_at: run.createdAt,
    started_at: null,
    ended_at: null,
    error: null,
    tracking_run_id: null,
    resumed_from: run.resumedFrom,
    owner: null,
    heartbeat_at: null,
  }
}
