import type { TrackingService } from '../tracking/index.js'
import { isAppError } from '../shared/errors.js'
import type { PipelineRun } from './pipeline-store.js'

/** Where a pipeline's runs appear in MLflow: one experiment per pipeline. */
export function experimentName(pipeline: string): string {
  return `pipelines/${pipeline}`
}

export interface TrackedRun {
  readonly runId: string
  /** `mlflow-artifacts:/…/artifacts`: logs and outputs of the attempt go under it. */
  readonly artifactUri: string
}

/**
 * Pipeline runs as MLflow runs, each step attempt a child run (`mlflow.parentRunId`), so the
 * MLflow UI and clients show what a pipeline did and registry lineage can point at a step's run.
 */
export class PipelineTracker {
  readonly #tracking: TrackingService
  readonly #experiments = new Map<string, Promise<string>>()

  constructor(tracking: TrackingService) {
    this.#tracking = tracking
  }

  async startRun(run: PipelineRun): Promise<TrackedRun> {
    const experimentId = await this.#experiment(run.pipeline)
    const created = await this.#tracking.createRun({
      experimentId,
      runName: `${run.pipeline}-${run.id.slice(0, 8)}`,
      tags: [
        { key: 'plinth.pipeline', value: run.pipeline },
        { key: 'plinth.pipeline_run_id', value: run.id },
        { key: 'plinth.trigger', value: run.trigger.kind },
        ...(run.resumedFrom ? [{ key: 'plinth.resumed_from', value: run.resumedFrom }] : []),
      ],
    })
    const params = Object.entries(run.params).map(([key, value]) => ({ key, value }))
    if (params.length > 0) await this.#tracking.logBatch(created.info.runId, { metrics: [], params, tags: [] })
    return { runId: created.info.runId, artifactUri: created.info.artifactUri }
  }

  async startStep(run: PipelineRun, parentRunId: string, step: string, attempt: number, params: Readonly<Record<string, string>>): Promise<TrackedRun> {
    const experimentId = await this.#experiment(run.pipeline)
    const created = await this.#tracking.createRun({
      experimentId,
      runName: `${step}-${attempt}`,
      tags: [
        { key: 'mlflow.parentRunId', value: parentRunId },
        { key: 'plinth.pipeline', value: run.pipeline },
        { key: 'plinth.pipeline_run_id', value: run.id },
        { key: 'plinth.step', value: step },
        { key: 'plinth.attempt', value: String(attempt) },
      ],
    })
    const list = Object.entries(params).map(([key, value]) => ({ key, value: value.slice(0, 6000) }))
    if (list.length > 0) await this.#tracking.logBatch(created.info.runId, { metrics: [], params: list, tags: [] })
    return { runId: created.info.runId, artifactUri: created.info.artifactUri }
  }

  /** Ends a run with metrics and output params (as tags `plinth.output.NAME`). */
  async endRun(runId: string, ok: boolean | 'killed', extra: { metrics?: Readonly<Record<string, number>>; outputs?: Readonly<Record<string, string>> } = {}): Promise<void> {
    const now = Date.now()
    const metrics = Object.entries(extra.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: now, step: 0 }))
    const tags = Object.entries(extra.outputs ?? {}).map(([key, value]) => ({ key: `plinth.output.${key}`, value: value.slice(0, 5000) }))
    if (metrics.length + tags.length > 0) await this.#tracking.logBatch(runId, { metrics, params: [], tags })
    await this.#tracking.updateRun({ runId, status: ok === 'killed' ? 'KILLED' : ok ? 'FINISHED' : 'FAILED', endTime: now })
  }

  #experiment(pipeline: string): Promise<string> {
    let found = this.#experiments.get(pipeline)
    if (!found) {
      found = this.#findOrCreate(experimentName(pipeline))
      found.catch(() => this.#experiments.delete(pipeline))
      this.#experiments.set(pipeline, found)
    }
    return found
  }

  async #findOrCreate(name: string): Promise<string> {
    try {
      return (await this.#tracking.getExperimentByName(name)).experimentId
    } catch (error) {
      if (!isAppError(error) || error.code !== 'RESOURCE_DOES_NOT_EXIST') throw error
    }
    try {
      return await this.#tracking.createExperiment({ name })
    } catch (error) {
      // Another process created it between the lookup and the create.
      if (isAppError(error) && error.code === 'RESOURCE_ALREADY_EXISTS') return (await this.#tracking.getExperimentByName(name)).experimentId
      throw error
    }
  }
}
