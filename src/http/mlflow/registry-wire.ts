import type { AliasChange, ModelVersion, OnnxSignature, RegisteredModel, TensorSignature } from '../../registry/index.js'
import { keyValuesToWire } from './tracking-wire.js'

/**
 * Registry objects in MLflow's JSON: snake_case keys, versions as strings, int64 as numbers,
 * and empty lists and unset fields left out, as protobuf's JSON printer does.
 */
type Wire = Record<string, unknown>

function list<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined
}

export function modelVersionToWire(v: ModelVersion): Wire {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: v.statusMessage,
    tags: keyValuesToWire(v.tags),
    run_link: v.runLink,
    aliases: list(v.aliases),
  }
}

export function modelVersionsToWire(versions: ModelVersion[]): Wire[] | undefined {
  return list(versions.map(modelVersionToWire))
}

export function registeredModelToWire(m: RegisteredModel): Wire {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description,
    latest_versions: modelVersionsToWire(m.latestVersions),
    tags: keyValuesToWire(m.tags),
    aliases: list(m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }))),
  }
}

function tensorToWire(t: TensorSignature): Wire {
  return { name: t.name, datatype: t.datatype, shape: t.shape, dim_params: t.dimParams }
}

export function signatureToWire(s: OnnxSignature): Wire {
  return {
    inputs: s.inputs.map(tensorToWire),
    outputs: s.outputs.map(tensorToWire),
    ir_version: s.irVersion,
    producer_name: s.producerName,
    producer_version: s.producerVersion,
    opset_import: s.opsetImports,
  }
}

/** Plinth's view of a version: MLflow's fields plus the pinned copy and its signature. */
export function plinthModelVersionToWire(v: ModelVersion): Wire {
  return {
    ...modelVersionToWire(v),
    signature: signatureToWire(v.pinned.signature),
    sha256: v.pinned.sha256,
    size_bytes: v.pinned.sizeBytes,
    storage_uri: v.pinned.storageUri,
    download_uri: v.downloadUri,
  }
}

export function aliasChangeToWire(c: AliasChange): Wire {
  return {
    name: c.name,
    alias: c.alias,
    from_version: c.fromVersion === undefined ? undefined : String(c.fromVersion),
    to_version: c.toVersion === undefined ? undefined : String(c.toVersion),
    user_id: c.userId,
    timestamp: c.timestamp,
  }
}
