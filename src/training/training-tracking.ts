import { createReadStream, statSync } from 'node:fs'
import { basename } from 'node:path'
import { Readable } from 'node:stream'
import { proxiedPath, type ArtifactService } from '../artifacts/index.js'
import { REFERENCE_DATA_TAG } from '../monitoring/monitors/registry-reference-source.js'
import type { ModelVersion, RegistryService } from '../registry/index.js'
import { isAppError } from '../shared/errors.js'
import type { TrackingService } from '../tracking/index.js'
import { referenceCsv } from './reference-data.js'
import type { TrainResult } from './train-model.js'

export const MODEL_ARTIFACT = 'model/model.onnx'
export const REFERENCE_ARTIFACT = 'reference/reference.csv'

export interface TrackingServices {
  readonly tracking: TrackingService
  readonly artifacts: ArtifactService
  readonly registry: RegistryService
}

export interface TrackingRequest {
  /** Experiment name; created when missing. Default MLflow's `Default`. */
  readonly experiment?: string
  /** Registered model to add a version to; created when missing. */
  readonly register?: string
  /** The CSV the model was trained on, logged as `data/<file>`. */
  readonly dataPath?: string
  readonly userId: string
}

export interface TrackedTraining {
  readonly experimentId: string
  readonly runId: string
  /** `runs:/<run_id>/model/model.onnx`. */
  readonly modelUri: string
  readonly version?: ModelVersion
}

async function experimentId(tracking: TrackingService, name: string | undefined): Promise<string> {
  if (name === undefined) return '0'
  try {
    return (await tracking.getExperimentByName(name)).experimentId
  } catch (error) {
    if (!isAppError(error) || error.code !== 'RESOURCE_DOES_NOT_EXIST') throw error
    return tracking.createExperiment({ name })
  }
}

/** Feature lists can be long; a param holds at most 6000 characters. */
function featureParam(names: readonly string[]): string {
  const joined = names.join(',')
  return joined.length <= 6000 ? joined : `${joined.slice(0, 5990)}… (${names.length})`
}

function batchOf(result: TrainResult, now: number) {
  const params = {
    model: result.modelKind,
    task: result.task,
    target: result.target,
    features: featureParam(result.featureNames),
    n_features: String(result.featureNames.length),
    ...result.params,
  }
  const counts = { train_rows: result.split.train.length, test_rows: result.split.test.length, dropped_rows: result.droppedRows, train_seconds: result.trainSeconds }
  return {
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
    metrics: Object.entries({ ...result.metrics, ...counts }).map(([key, value]) => ({ key, value, timestamp: now, step: 0 })),
    tags: [],
  }
}

async function upload(artifacts: ArtifactService, root: string, path: string, body: Readable, size: number): Promise<void> {
  await artifacts.upload(`${root}/${path}`, body, size)
}

/**
 * Logs a training run as MLflow does (params, holdout metrics, the ONNX model as an artifact)
 * and, with `register`, makes the model a registered version tagged with its reference data.
 * The run ends FINISHED, or FAILED when a step fails (the error is rethrown).
 */
export async function trackTraining(services: TrackingServices, result: TrainResult, request: TrackingRequest): Promise<TrackedTraining> {
  const { tracking, artifacts } = services
  const run = await tracking.createRun({
    experimentId: await experimentId(tracking, request.experiment),
    userId: request.userId,
    tags: [
      { key: 'mlflow.source.name', value: 'plinth train' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.user', value: request.userId },
    ],
  })
  const runId = run.info.runId
  try {
    await tracking.logBatch(runId, batchOf(result, Date.now()))
    const root = proxiedPath(run.info.artifactUri)
    await upload(artifacts, root, MODEL_ARTIFACT, Readable.from([Buffer.from(result.onnx)]), result.onnx.length)
    if (request.dataPath) {
      await upload(artifacts, root, `data/${basename(request.dataPath)}`, createReadStream(request.dataPath), statSync(request.dataPath).size)
    }
    const modelUri = `runs:/${runId}/${MODEL_ARTIFACT}`
    const version = request.register ? await registerVersion(services, result, runId, root, modelUri, request) : undefined
    await tracking.updateRun({ runId, status: 'FINISHED', endTime: Date.now() })
    return { experimentId: run.info.experimentId, runId, modelUri, ...(version ? { version } : {}) }
  } catch (error) {
    await tracking.updateRun({ runId, status: 'FAILED', endTime: Date.now() }).catch(() => undefined)
    throw error
  }
}

async function registerVersion(services: TrackingServices, result: TrainResult, runId: string, root: string, modelUri: string, request: TrackingRequest): Promise<ModelVersion> {
  const reference = Buffer.from(referenceCsv(result))
  await upload(services.artifacts, root, REFERENCE_ARTIFACT, Readable.from([reference]), reference.length)
  const name = request.register!
  await services.registry.createRegisteredModel({ name }).catch((error: unknown) => {
    if (!isAppError(error) || error.code !== 'RESOURCE_ALREADY_EXISTS') throw error
  })
  return services.registry.createModelVersion({
    name,
    source: modelUri,
    runId,
    userId: request.userId,
    description: `plinth train --model ${result.modelKind} (${result.task}, target ${result.target})`,
    tags: [
      { key: REFERENCE_DATA_TAG, value: REFERENCE_ARTIFACT },
      { key: 'plinth.training.model', value: result.modelKind },
    ],
  })
}
