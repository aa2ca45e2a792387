import { Type as T, type TSchema } from '@sinclair/typebox'
import { KeyValueSchema } from './tracking-schemas.js'

/**
 * Request and response schemas of MLflow's model registry API (model_registry.proto). Versions
 * are strings on the wire; responses are serialized by these schemas, so the MLflow routes send
 * nothing beyond MLflow's fields (Plinth's extras go out on /api/plinth/v1 only).
 */
const Int64 = T.Integer()
const Str = T.String()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const KeyValueIn = T.Object({ key: Opt(Str), value: Opt(Str) })

export const ModelVersionSchema = T.Object({
  name: Str,
  version: Str,
  creation_timestamp: Int64,
  last_updated_timestamp: Int64,
  user_id: Opt(Str),
  current_stage: Str,
  description: Opt(Str),
  source: Str,
  run_id: Opt(Str),
  status: Str,
  status_message: Opt(Str),
  tags: Opt(T.Array(KeyValueSchema)),
  run_link: Opt(Str),
  aliases: Opt(T.Array(Str)),
})

export const RegisteredModelSchema = T.Object({
  name: Str,
  creation_timestamp: Int64,
  last_updated_timestamp: Int64,
  description: Opt(Str),
  latest_versions: Opt(T.Array(ModelVersionSchema)),
  tags: Opt(T.Array(KeyValueSchema)),
  aliases: Opt(T.Array(T.Object({ alias: Str, version: Str }))),
})

const TensorSchema = T.Object({
  name: Str,
  datatype: Str,
  shape: Opt(T.Array(Int64)),
  dim_params: Opt(T.Array(T.Union([Str, T.Null()]))),
})

export const SignatureSchema = T.Object({
  inputs: T.Array(TensorSchema),
  outputs: T.Array(TensorSchema),
  ir_version: Int64,
  producer_name: Opt(Str),
  producer_version: Opt(Str),
  opset_import: T.Array(T.Object({ domain: Str, version: Int64 })),
})

/** Plinth's view of a version: MLflow's fields plus the pinned bytes and their signature. */
export const PlinthModelVersionSchema = T.Object({
  ...ModelVersionSchema.properties,
  signature: SignatureSchema,
  sha256: Str,
  size_bytes: Int64,
  storage_uri: Str,
  download_uri: Str,
})

export const AliasChangeSchema = T.Object({
  name: Str,
  alias: Str,
  from_version: Opt(Str),
  to_version: Opt(Str),
  user_id: Str,
  timestamp: Int64,
})

const NameRef = { name: Str }
const VersionRef = { name: Str, version: Str }
const SearchInput = T.Object({ filter: Opt(Str), max_results: Opt(Int64), order_by: Opt(T.Array(Str)), page_token: Opt(Str) })

export const Empty = T.Object({})
const OneModel = T.Object({ registered_model: RegisteredModelSchema })
const OneVersion = T.Object({ model_version: ModelVersionSchema })

export const RegistrySchemas = {
  createModel: { body: T.Object({ name: Str, tags: Opt(T.Array(KeyValueIn)), description: Opt(Str) }), response: OneModel },
  renameModel: { body: T.Object({ name: Str, new_name: Str }), response: OneModel },
  updateModel: { body: T.Object({ name: Str, description: Opt(Str) }), response: OneModel },
  modelRef: { body: T.Object(NameRef), query: T.Object(NameRef), response: OneModel },
  searchModels: {
    query: SearchInput,
    response: T.Object({ registered_models: Opt(T.Array(RegisteredModelSchema)), next_page_token: Opt(Str) }),
  },
  latestVersions: {
    input: T.Object({ name: Str, stages: Opt(T.Array(Str)) }),
    response: T.Object({ model_versions: Opt(T.Array(ModelVersionSchema)) }),
  },
  setModelTag: { body: T.Object({ name: Str, key: Str, value: Str }) },
  deleteModelTag: { body: T.Object({ name: Str, key: Str }) },
  setAlias: { body: T.Object({ name: Str, alias: Str, version: Str }) },
  aliasRef: { body: T.Object({ name: Str, alias: Str }), query: T.Object({ name: Str, alias: Str }) },
  createVersion: {
    body: T.Object({ name: Str, source: Str, run_id: Opt(Str), tags: Opt(T.Array(KeyValueIn)), run_link: Opt(Str), description: Opt(Str) }),
    response: OneVersion,
  },
  updateVersion: { body: T.Object({ ...VersionRef, description: Opt(Str) }), response: OneVersion },
  transitionStage: { body: T.Object({ ...VersionRef, stage: Str, archive_existing_versions: T.Boolean() }), response: OneVersion },
  versionRef: { body: T.Object(VersionRef), query: T.Object(VersionRef), response: OneVersion },
  searchVersions: {
    query: SearchInput,
    response: T.Object({ model_versions: Opt(T.Array(ModelVersionSchema)), next_page_token: Opt(Str) }),
  },
  downloadUri: { response: T.Object({ artifact_uri: Str }) },
  setVersionTag: { body: T.Object({ ...VersionRef, key: Str, value: Str }) },
  deleteVersionTag: { body: T.Object({ ...VersionRef, key: Str }) },
  plinthVersion: { response: T.Object({ model_version: PlinthModelVersionSchema }) },
  aliasHistory: {
    query: T.Object({ name: Str, alias: Opt(Str) }),
    response: T.Object({ history: T.Array(AliasChangeSchema) }),
  },
} as const
