import { ApiError, MLFLOW, PLINTH, request } from './api-client.js'
import type { AliasChange, ModelVersion, RegisteredModel, TargetUse } from './wire-types.js'

/** Registry calls: MLflow's model-registry API plus Plinth's signature, alias history and lineage. */
export async function searchModels(signal?: AbortSignal): Promise<RegisteredModel[]> {
  const answer = await request<{ registered_models?: RegisteredModel[] }>(`${MLFLOW}/registered-models/search`, { query: { max_results: 1000 }, signal })
  return answer.registered_models ?? []
}

export async function getModel(name: string, signal?: AbortSignal): Promise<RegisteredModel> {
  return (await request<{ registered_model: RegisteredModel }>(`${MLFLOW}/registered-models/get`, { query: { name }, signal })).registered_model
}

export async function searchVersions(name: string, signal?: AbortSignal): Promise<ModelVersion[]> {
  const filter = `name='${name.replace(/'/g, "\\'")}'`
  const answer = await request<{ model_versions?: ModelVersion[] }>(`${MLFLOW}/model-versions/search`, { query: { filter, max_results: 1000, order_by: ['version_number DESC'] }, signal })
  return answer.model_versions ?? []
}

export async function getVersion(name: string, version: string, signal?: AbortSignal): Promise<ModelVersion> {
  return (await request<{ model_version: ModelVersion }>(`${PLINTH}/model-versions/get`, { query: { name, version }, signal })).model_version
}

export async function aliasHistory(name: string, signal?: AbortSignal): Promise<AliasChange[]> {
  return (await request<{ history: AliasChange[] }>(`${PLINTH}/registered-models/alias-history`, { query: { name }, signal })).history
}

export async function setAlias(name: string, alias: string, version: string): Promise<void> {
  await request(`${MLFLOW}/registered-models/alias`, { method: 'POST', body: { name, alias, version } })
}

export async function deleteAlias(name: string, alias: string): Promise<void> {
  await request(`${MLFLOW}/registered-models/alias`, { method: 'DELETE', body: { name, alias } })
}

export interface RunLineage {
  model_versions?: ModelVersion[]
  deployments?: TargetUse[]
}

export async function lineageOfRun(runId: string, signal?: AbortSignal): Promise<RunLineage> {
  return request<RunLineage>(`${PLINTH}/lineage`, { query: { run_id: runId }, signal })
}

export async function lineageOfVersion(model: string, version: string, signal?: AbortSignal): Promise<{ run?: import('./wire-types.js').Run; deployments?: TargetUse[] }> {
  return request(`${PLINTH}/lineage`, { query: { model, version }, signal })
}

/** Registers `runs:/<run>/<path>` under `name`, creating the model first when it is new. */
export async function registerFromRun(name: string, runId: string, path: string): Promise<ModelVersion> {
  try {
    await request(`${MLFLOW}/registered-models/create`, { method: 'POST', body: { name } })
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'RESOURCE_ALREADY_EXISTS')) throw error
  }
  const answer = await request<{ model_version: ModelVersion }>(`${MLFLOW}/model-versions/create`, {
    method: 'POST',
    body: { name, source: `runs:/${runId}/${path}`, run_id: runId },
  })
  return answer.model_version
}
