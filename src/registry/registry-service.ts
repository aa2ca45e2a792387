import type { ArtifactStore } from '../artifacts/artifact-store.js'
import type { Clock } from '../shared/clock.js'
import { SYSTEM_CLOCK } from '../shared/clock.js'
import { AppError, notFound } from '../shared/errors.js'
import { decodeOffsetToken, type Page } from '../shared/page.js'
import { parseModelOrderBy, parseModelVersionFilter, parseRegisteredModelFilter } from '../tracking/search-filter.js'
import type { KeyValue, Run, RunInfo } from '../tracking/tracking-entities.js'
import { checkMaxResults, requireValue } from '../tracking/tracking-limits.js'
import { MAX_MODEL_BYTES, pinModel, readHashed, readPinned } from './model-pinning.js'
import { locateModelFile, type SourceContext } from './model-source.js'
import { readOnnxSignature } from './onnx-signature.js'
import { parseModelUri, versionUri, type ModelReference } from './model-uri.js'
import { ACTIVE_STAGES, MODEL_STAGES, type AliasChange, type ModelVersion, type NewVersionInput, type RegisteredModel, type ResolvedModel, type SearchRequest } from './registry-entities.js'
import type { RegistryStore } from './registry-store.js'
import { REGISTRY_LIMITS as L, canonicalStage, checkAlias, checkModelName, checkRegistryTag, checkRegistryTags, parseVersion } from './registry-validation.js'

/** What the registry needs from tracking: runs, to resolve `runs:/` sources and for lineage. */
export interface RunLookup {
  getRunInfo(runId: string | undefined): Promise<RunInfo>
  getRun(runId: string | undefined): Promise<Run>
}

export interface RegistryServiceOptions {
  store: RegistryStore
  /** Where pinned model bytes are written and run artifacts are read. */
  artifacts: ArtifactStore
  runs: RunLookup
  clock?: Clock
  /** Whether sources may be paths on the server's disk. Default true; off for shared servers. */
  allowLocalFiles?: boolean
}

type Version = string | number | undefined

const MODEL_ORDER_KEYS = ['name', 'timestamp', 'last_updated_timestamp']
const VERSION_ORDER_KEYS = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp', 'timestamp']

const modelNotFound = (name: string) => notFound(`Registered Model with name=${name} not found`)
const versionNotFound = (name: string, version: number) => notFound(`Model Version (name=${name}, version=${version}) not found`)

/**
 * MLflow's model registry, plus pinned model bytes with their ONNX signature and an audit trail
 * of alias moves. Validates every input once, then calls the store.
 */
export class RegistryService {
  readonly #store: RegistryStore
  readonly #artifacts: ArtifactStore
  readonly #runs: RunLookup
  readonly #clock: Clock
  readonly #allowLocalFiles: boolean

  constructor(options: RegistryServiceOptions) {
    this.#store = options.store
    this.#artifacts = options.artifacts
    this.#runs = options.runs
    this.#clock = options.clock ?? SYSTEM_CLOCK
    this.#allowLocalFiles = options.allowLocalFiles ?? true
  }

  async createRegisteredModel(input: { name?: string; description?: string; tags?: Array<Partial<KeyValue>> }): Promise<RegisteredModel> {
    const name = checkModelName(input.name)
    await this.#store.createRegisteredModel({ name, description: input.description, tags: checkRegistryTags(input.tags), now: this.#clock.now() })
    return this.getRegisteredModel(name)
  }

  async getRegisteredModel(name: string | undefined): Promise<RegisteredModel> {
    const checked = checkModelName(name)
    const model = await this.#store.getRegisteredModel(checked)
    if (!model) throw modelNotFound(checked)
    return model
  }

  async renameRegisteredModel(name: string | undefined, newName: string | undefined): Promise<RegisteredModel> {
    const from = checkModelName(name)
    const to = checkModelName(newName, 'new_name')
    if (from !== to && !(await this.#store.renameRegisteredModel(from, to, this.#clock.now()))) throw modelNotFound(from)
    return this.getRegisteredModel(to)
  }

  async updateRegisteredModel(name: string | undefined, description: string | undefined): Promise<RegisteredModel> {
    const checked = checkModelName(name)
    if (!(await this.#store.updateRegisteredModel(checked, description ?? null, this.#clock.now()))) throw modelNotFound(checked)
    return this.getRegisteredModel(checked)
  }

  /** Deletes the model, its versions and aliases. The pinned blobs stay (other versions may share them). */
  async deleteRegisteredModel(name: string | undefined, userId = 'unknown'): Promise<void> {
    const checked = checkModelName(name)
    if (!(await this.#store.deleteRegisteredModel(checked, { userId, now: this.#clock.now() }))) throw modelNotFound(checked)
  }

  searchRegisteredModels(request: SearchRequest): Promise<Page<RegisteredModel>> {
    return this.#store.searchRegisteredModels({
      filter: parseRegisteredModelFilter(request.filter),
      orderBy: (request.orderBy ?? []).map((o) => parseModelOrderBy(o, MODEL_ORDER_KEYS)),
      offset: decodeOffsetToken(request.pageToken),
      limit: checkMaxResults(request.maxResults, L.searchModelsDefault, L.searchModelsMax, 'search_registered_models'),
    })
  }

  /** The newest version per stage (all four stages when none are given). */
  async getLatestVersions(name: string | undefined, stages: string[] | undefined): Promise<ModelVersion[]> {
    const model = await this.getRegisteredModel(name)
    const wanted = stages?.length ? [...new Set(stages.map(canonicalStage))] : [...MODEL_STAGES]
    return this.#store.latestVersions(model.name, wanted)
  }

  async setRegisteredModelTag(name: string | undefined, tag: Partial<KeyValue>): Promise<void> {
    const checked = checkModelName(name)
    if (!(await this.#store.setRegisteredModelTag(checked, checkRegistryTag(tag)))) throw modelNotFound(checked)
  }

  async deleteRegisteredModelTag(name: string | undefined, key: string | undefined): Promise<void> {
    const model = await this.getRegisteredModel(name)
    await this.#store.deleteRegisteredModelTag(model.name, requireValue(key, 'key'))
  }

  /**
   * Registers the next version: resolves `source` to one ONNX file, reads its signature and pins
   * its bytes, then numbers the version atomically.
   * `options.allowLocalFiles` overrides the service's policy for trusted callers (the CLI).
   * @throws AppError RESOURCE_DOES_NOT_EXIST for an unknown model, run or source path;
   *   INVALID_PARAMETER_VALUE when the source is not a loadable ONNX model.
   */
  async createModelVersion(input: NewVersionInput, options: { allowLocalFiles?: boolean } = {}): Promise<ModelVersion> {
    const model = await this.getRegisteredModel(input.name)
    const source = requireValue(input.source, 'source')
    const tags = checkRegistryTags(input.tags)
    if (input.runId) await this.#runs.getRunInfo(input.runId)
    const file = await locateModelFile(source, this.#sourceContext(options.allowLocalFiles))
    const pinned = await pinModel(file, source, this.#artifacts)
    return this.#store.createModelVersion({
      name: model.name,
      source,
      runId: input.runId || undefined,
      runLink: input.runLink || undefined,
      description: input.description,
      userId: input.userId,
      tags,
      downloadUri: file.location,
      pinned,
      now: this.#clock.now(),
    })
  }

  async getModelVersion(name: string | undefined, version: Version): Promise<ModelVersion> {
    const checked = checkModelName(name)
    const number = parseVersion(version)
    const found = await this.#store.getModelVersion(checked, number)
    if (!found) throw versionNotFound(checked, number)
    return found
  }

  async updateModelVersion(name: string | undefined, version: Version, description: string | undefined): Promise<ModelVersion> {
    const current = await this.getModelVersion(name, version)
    await this.#store.updateModelVersion(current.name, current.version, description ?? null, this.#clock.now())
    return this.getModelVersion(current.name, current.version)
  }

  /** Stages are deprecated in MLflow (aliases replace them) but still served for old clients. */
  async transitionModelVersionStage(name: string | undefined, version: Version, stage: string | undefined, archiveExisting: boolean): Promise<ModelVersion> {
    const target = canonicalStage(stage)
    if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
      throw new AppError('INVALID_PARAMETER_VALUE', `Model version transition cannot archive existing model versions because '${target}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}.`)
    }
    const current = await this.getModelVersion(name, version)
    await this.#store.transitionModelVersionStage(current.name, current.version, target, archiveExisting, this.#clock.now())
    return this.getModelVersion(current.name, current.version)
  }

  async deleteModelVersion(name: string | undefined, version: Version, userId = 'unknown'): Promise<void> {
    const current = await this.getModelVersion(name, version)
    await this.#store.deleteModelVersion(current.name, current.version, { userId, now: this.#clock.now() })
  }

  searchModelVersions(request: SearchRequest): Promise<Page<ModelVersion>> {
    return this.#store.searchModelVersions({
      filter: parseModelVersionFilter(request.filter),
      orderBy: (request.orderBy ?? []).map((o) => parseModelOrderBy(o, VERSION_ORDER_KEYS)),
      offset: decodeOffsetToken(request.pageToken),
      limit: checkMaxResults(request.maxResults, L.searchVersionsDefault, L.searchVersionsMax, 'search_model_versions'),
    })
  }

  /** Where MLflow clients download the version from: the location its source resolved to. */
  async getModelVersionDownloadUri(name: string | undefined, version: Version): Promise<string> {
    return (await this.getModelVersion(name, version)).downloadUri
  }

  async setModelVersionTag(name: string | undefined, version: Version, tag: Partial<KeyValue>): Promise<void> {
    const current = await this.getModelVersion(name, version)
    if (!(await this.#store.setModelVersionTag(current.name, current.version, checkRegistryTag(tag)))) throw versionNotFound(current.name, current.version)
  }

  async deleteModelVersionTag(name: string | undefined, version: Version, key: string | undefined): Promise<void> {
    const current = await this.getModelVersion(name, version)
    await this.#store.deleteModelVersionTag(current.name, current.version, requireValue(key, 'key'))
  }

  /** Points an alias at a version; the move is recorded in the alias history with `userId`. */
  async setAlias(name: string | undefined, alias: string | undefined, version: Version, userId = 'unknown'): Promise<void> {
    const checkedAlias = checkAlias(alias)
    const current = await this.getModelVersion(name, version)
    await this.#store.setAlias(current.name, checkedAlias, current.version, { userId, now: this.#clock.now() })
  }

  /** Removes an alias (recorded in the history); removing an alias that is not set does nothing. */
  async deleteAlias(name: string | undefined, alias: string | undefined, userId = 'unknown'): Promise<void> {
    const checkedAlias = checkAlias(alias)
    const model = await this.getRegisteredModel(name)
    await this.#store.deleteAlias(model.name, checkedAlias, { userId, now: this.#clock.now() })
  }

  /** @throws AppError INVALID_PARAMETER_VALUE when the alias is not set (MLflow's code for it). */
  async getModelVersionByAlias(name: string | undefined, alias: string | undefined): Promise<ModelVersion> {
    const checked = checkModelName(name)
    const given = requireValue(alias, 'alias')
    const version = await this.#store.aliasVersion(checked, given)
    if (version === undefined) {
      await this.getRegisteredModel(checked)
      throw new AppError('INVALID_PARAMETER_VALUE', `Registered model alias ${given} not found.`)
    }
    return this.getModelVersion(checked, version)
  }

  /** Every set, move and delete of a model's aliases (or of one alias), oldest first. */
  async aliasHistory(name: string | undefined, alias?: string): Promise<AliasChange[]> {
    const checked = checkModelName(name)
    return this.#store.aliasHistory(checked, alias || undefined)
  }

  /** Changes whenever what a model name or alias resolves to may have changed; see RegistryStore. */
  changeMarker(): Promise<string> {
    return this.#store.changeMarker()
  }

  /** Lineage: the versions registered from a run. */
  async versionsForRun(runId: string | undefined): Promise<ModelVersion[]> {
    const run = await this.#runs.getRunInfo(runId)
    const escaped = run.runId.replaceAll("'", "''")
    return (await this.searchModelVersions({ filter: `run_id = '${escaped}'`, orderBy: ['name ASC', 'version_number ASC'] })).items
  }

  /** Lineage: a version and the run it came from (absent when it was registered without one). */
  async runOfVersion(name: string | undefined, version: Version): Promise<{ modelVersion: ModelVersion; run?: Run }> {
    const modelVersion = await this.getModelVersion(name, version)
    if (!modelVersion.runId) return { modelVersion }
    const run = await this.#runs.getRun(modelVersion.runId).catch((error: unknown) => {
      if ((error as AppError).code === 'RESOURCE_DOES_NOT_EXIST') return undefined
      throw error
    })
    return run ? { modelVersion, run } : { modelVersion }
  }

  /**
   * For serving: what a `models:/` URI names now (an alias or stage may move later).
   * @throws AppError INVALID_PARAMETER_VALUE for a malformed URI or unset alias,
   *   RESOURCE_DOES_NOT_EXIST for an unknown model or version.
   */
  async resolveModelUri(uri: string): Promise<ResolvedModel> {
    const ref = parseModelUri(uri)
    const version = await this.#versionOf(ref)
    const resolved: ResolvedModel = { name: version.name, version: version.version, sha256: version.pinned.sha256, storageUri: version.pinned.storageUri, signature: version.pinned.signature }
    if ('alias' in ref) resolved.alias = ref.alias
    return resolved
  }

  /** For serving: the pinned ONNX bytes of a version, checked against their SHA-256. */
  async openModelBytes(name: string | undefined, version: Version): Promise<Buffer> {
    const found = await this.getModelVersion(name, version)
    return readPinned(found.pinned, this.#artifacts, versionUri(found.name, found.version))
  }

  /**
   * For serving a model that is not registered (`plinth serve -m runs:/…`): the ONNX bytes behind
   * any source a version could be registered from, checked to be an ONNX model.
   * @throws AppError as `createModelVersion` does for its source.
   */
  async readModelSource(source: string, options: { allowLocalFiles?: boolean } = {}): Promise<Buffer> {
    const file = await locateModelFile(source, this.#sourceContext(options.allowLocalFiles))
    const { bytes } = await readHashed((await file.open()).body, MAX_MODEL_BYTES, `Model source '${source}'`)
    readOnnxSignature(bytes, `Model source '${source}'`)
    return bytes
  }

  #sourceContext(allowLocalFiles: boolean | undefined): SourceContext {
    return {
      store: this.#artifacts,
      allowLocalFiles: allowLocalFiles ?? this.#allowLocalFiles,
      runArtifactUri: async (runId) => (await this.#runs.getRunInfo(runId)).artifactUri,
      registeredModel: async (uri) => {
        const version = await this.#versionOf(parseModelUri(uri))
        return { storageUri: version.pinned.storageUri, downloadUri: version.downloadUri }
      },
    }
  }

  async #versionOf(ref: ModelReference): Promise<ModelVersion> {
    if ('version' in ref) return this.getModelVersion(ref.name, ref.version)
    if ('alias' in ref) return this.getModelVersionByAlias(ref.name, ref.alias)
    const stages = 'stage' in ref ? [ref.stage] : MODEL_STAGES
    const latest = (await this.getLatestVersions(ref.name, [...stages])).sort((a, b) => b.version - a.version)[0]
    if (!latest) throw notFound(`Registered model '${ref.name}' has no version${'stage' in ref ? ` in stage ${ref.stage}` : ''}.`)
    return latest
  }
}
