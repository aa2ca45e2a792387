import type { Page } from '../shared/page.js'
import type { FilterClause, OrderClause } from '../tracking/search-filter-types.js'
import type { KeyValue } from '../tracking/tracking-entities.js'
import type { AliasChange, ModelStage, ModelVersion, PinnedModel, RegisteredModel } from './registry-entities.js'

export interface RegistryQuery {
  filter: FilterClause[]
  orderBy: OrderClause[]
  offset: number
  limit: number
}

export interface NewRegisteredModel {
  name: string
  description?: string
  tags: KeyValue[]
  now: number
}

export interface NewModelVersion {
  name: string
  source: string
  runId?: string
  runLink?: string
  description?: string
  userId?: string
  tags: KeyValue[]
  downloadUri: string
  pinned: PinnedModel
  now: number
}

/** Who changed an alias and when, recorded in the alias history. */
export interface Actor {
  userId: string
  now: number
}

/**
 * Persistence of the model registry. Inputs are already validated by RegistryService; the store
 * enforces what needs the data (unique names, version numbering, alias targets). Every method
 * is atomic (one transaction). Any method may throw TEMPORARILY_UNAVAILABLE when the database
 * is unreachable or busy past its timeout.
 */
export interface RegistryStore {
  /** Inserts a model with its tags. Throws RESOURCE_ALREADY_EXISTS for a taken name. */
  createRegisteredModel(model: NewRegisteredModel): Promise<void>
  /** The model with tags, aliases and latest version per stage, or undefined. */
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>
  /**
   * Renames a model with its versions, tags, aliases and alias history. False if `name` does
   * not exist; throws RESOURCE_ALREADY_EXISTS if `newName` is taken.
   */
  renameRegisteredModel(name: string, newName: string, now: number): Promise<boolean>
  /** Sets the description (null clears it); false if the model does not exist. */
  updateRegisteredModel(name: string, description: string | null, now: number): Promise<boolean>
  /**
   * Deletes a model with its versions, tags and aliases; each removed alias is recorded in the
   * alias history (which is kept). False if the model did not exist.
   */
  deleteRegisteredModel(name: string, actor: Actor): Promise<boolean>
  /** Models matching the query, ordered (then by name), one page, hydrated as by get. */
  searchRegisteredModels(query: RegistryQuery): Promise<Page<RegisteredModel>>
  /** Upserts a model tag; false if the model does not exist. */
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<boolean>
  /** Removes a model tag if present (absent is not an error). */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>

  /**
   * Inserts the next version of a model (1, 2, 3… never reusing a deleted number, even under
   * concurrent calls) with its tags. Throws RESOURCE_DOES_NOT_EXIST if the model does not exist.
   */
  createModelVersion(version: NewModelVersion): Promise<ModelVersion>
  /** The version with tags and aliases, or undefined. */
  getModelVersion(name: string, version: number): Promise<ModelVersion | undefined>
  /** Sets the description (null clears it); false if the version does not exist. */
  updateModelVersion(name: string, version: number, description: string | null, now: number): Promise<boolean>
  /**
   * Moves a version to a stage; with `archiveExisting`, the other versions in that stage move to
   * Archived in the same transaction. False if the version does not exist.
   */
  transitionModelVersionStage(name: string, version: number, stage: ModelStage, archiveExisting: boolean, now: number): Promise<boolean>
  /**
   * Deletes a version with its tags and the aliases pointing at it (each recorded in the alias
   * history). Its number is never given out again. False if it did not exist.
   */
  deleteModelVersion(name: string, version: number, actor: Actor): Promise<boolean>
  /** Versions matching the query, ordered (default newest update first), one page. */
  searchModelVersions(query: RegistryQuery): Promise<Page<ModelVersion>>
  /** The newest version of a model in each of `stages` that has one, in stage order. */
  latestVersions(name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]>
  /** Upserts a version tag; false if the version does not exist. */
  setModelVersionTag(name: string, version: number, tag: KeyValue): Promise<boolean>
  /** Removes a version tag if present (absent is not an error). */
  deleteModelVersionTag(name: string, version: number, key: string): Promise<void>

  /**
   * Points an alias at a version, recording the change (set or move) in the alias history;
   * setting an alias to the version it already names changes nothing. Throws
   * RESOURCE_DOES_NOT_EXIST if the version does not exist.
   */
  setAlias(name: string, alias: string, version: number, actor: Actor): Promise<void>
  /** Removes an alias, recording the deletion; false if it was not set. */
  deleteAlias(name: string, alias: string, actor: Actor): Promise<boolean>
  /** The version an alias names, or undefined. */
  aliasVersion(name: string, alias: string): Promise<number | undefined>
  /** Alias changes of a model (one alias if given), oldest first. */
  aliasHistory(name: string, alias?: string): Promise<AliasChange[]>
  /**
   * A value that changes whenever what a model name resolves to may change (a model or version
   * created, deleted or renamed, an alias set, moved or removed); one cheap query, which serving
   * replicas poll to notice changes made through another replica.
   */
  changeMarker(): Promise<string>
}
