import type { KeyValue } from '../tracking/tracking-entities.js'
import type { OnnxSignature } from './onnx-signature.js'

/**
 * MLflow's model registry: a registered model holds numbered versions; aliases and (deprecated)
 * stages point at versions. Plinth adds a pinned copy of each version's bytes and an audit
 * trail of alias moves.
 */

export const MODEL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const
export type ModelStage = (typeof MODEL_STAGES)[number]
/** The stages `archive_existing_versions` may be used with ("active" stages in MLflow). */
export const ACTIVE_STAGES: readonly ModelStage[] = ['Staging', 'Production']

export type ModelVersionStatus = 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION'

export interface ModelAlias {
  alias: string
  version: number
}

/**
 * The model bytes a version was registered with, copied into the artifact store under a
 * content address, so a version's model never changes after registration.
 */
export interface PinnedModel {
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string
  sizeBytes: number
  /** `mlflow-artifacts:/model-blobs/<sha256>.onnx`: readable through the proxied artifact API. */
  storageUri: string
  signature: OnnxSignature
}

export interface ModelVersion {
  name: string
  version: number
  creationTimestamp: number
  lastUpdatedTimestamp: number
  userId?: string
  currentStage: ModelStage
  description?: string
  /** The source as the client gave it (`runs:/…`, `models:/…`, a path). */
  source: string
  runId?: string
  status: ModelVersionStatus
  statusMessage?: string
  tags: KeyValue[]
  runLink?: string
  aliases: string[]
  /**
   * Where the source resolved to when it was registered (the folder or file the bytes were read
   * from), which `get-download-uri` returns as MLflow does.
   */
  downloadUri: string
  pinned: PinnedModel
}

export interface RegisteredModel {
  name: string
  creationTimestamp: number
  lastUpdatedTimestamp: number
  description?: string
  /** The newest version in each stage that has one. */
  latestVersions: ModelVersion[]
  tags: KeyValue[]
  aliases: ModelAlias[]
}

/** One change of an alias: set (fromVersion absent), moved, or deleted (toVersion absent). */
export interface AliasChange {
  name: string
  alias: string
  fromVersion?: number
  toVersion?: number
  userId: string
  timestamp: number
}

/** A version as the serving layer needs it: which bytes, and what goes in and out. */
export interface ResolvedModel {
  name: string
  version: number
  /** The alias the URI named, if it named one. */
  alias?: string
  sha256: string
  storageUri: string
  signature: OnnxSignature
}

/** A search request as the API takes it: MLflow filter and order_by text, an opaque page token. */
export interface SearchRequest {
  filter?: string
  maxResults?: number
  orderBy?: string[]
  pageToken?: string
}

export interface NewVersionInput {
  name?: string
  /** `runs:/<run_id>/<path>`, `mlflow-artifacts:/…`, `models:/<name>/<version>` or `@<alias>`, a path. */
  source?: string
  runId?: string
  runLink?: string
  description?: string
  tags?: Array<Partial<KeyValue>>
  /** Who registers it (the token's name when auth is on). */
  userId?: string
}
