import { Type as T, type TSchema } from '@sinclair/typebox'

/**
 * Wire shapes of the inference routes, after the Open Inference Protocol's OpenAPI document
 * (`open_inference_rest.yaml`) and KServe's V1 protocol. Request bodies are declared but not
 * checked by a schema: each codec checks them against the model's signature and names the
 * tensor at fault, which a schema cannot.
 */
const Str = T.String()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const Parameters = T.Record(T.String(), T.Unknown())

export const OipError = T.Object({ error: Str, error_code: Str, request_id: Opt(Str) })
const Errors = { 400: OipError, 404: OipError, 413: OipError, 503: OipError }

const MetadataTensor = T.Object({ name: Str, datatype: Str, shape: T.Array(T.Integer()) })
const ResponseOutput = T.Object({ name: Str, shape: T.Array(T.Integer()), datatype: Str, parameters: Opt(Parameters), data: T.Array(T.Unknown()) })

const InferRequest = T.Object(
  {
    id: Opt(Str),
    parameters: Opt(Parameters),
    inputs: T.Array(T.Object({ name: Str, shape: T.Array(T.Integer()), datatype: Str, parameters: Opt(Parameters), data: T.Array(T.Unknown()) })),
    outputs: Opt(T.Array(T.Object({ name: Str, parameters: Opt(Parameters) }))),
  },
  { description: 'Checked by the V2 codec against the model signature, not by this schema.' },
)

const Name = T.Object({ name: Str })
const NameVersion = T.Object({ name: Str, version: Str })

export const V2Schemas = {
  server: { response: { 200: T.Object({ name: Str, version: Str, extensions: T.Array(Str) }), 400: OipError } },
  live: { response: { 200: T.Object({ live: T.Boolean() }) } },
  ready: { response: { 200: T.Object({ ready: T.Boolean() }), 503: T.Object({ ready: T.Boolean() }) } },
  modelMetadata: {
    params: Name,
    response: { 200: T.Object({ name: Str, versions: Opt(T.Array(Str)), platform: Str, inputs: T.Array(MetadataTensor), outputs: T.Array(MetadataTensor) }), ...Errors },
  },
  modelReady: { params: Name, response: { 200: T.Object({ name: Str, ready: T.Boolean() }), ...Errors } },
  infer: {
    params: Name,
    body: InferRequest,
    response: { 200: T.Object({ model_name: Str, model_version: Opt(Str), id: Opt(Str), parameters: Opt(Parameters), outputs: T.Array(ResponseOutput) }), ...Errors },
  },
}

/** The same routes under `/versions/{version}`. */
export const V2VersionSchemas = {
  modelMetadata: { ...V2Schemas.modelMetadata, params: NameVersion },
  modelReady: { ...V2Schemas.modelReady, params: NameVersion },
  infer: { ...V2Schemas.infer, params: NameVersion },
}

const V1Request = T.Object(
  { instances: Opt(T.Array(T.Unknown())), inputs: Opt(T.Unknown()) },
  { description: 'Exactly one of instances or inputs; checked by the V1 codec against the model signature.' },
)

export const V1Schemas = {
  list: { response: { 200: T.Object({ models: T.Array(Str) }) } },
  ready: { params: Name, response: { 200: T.Object({ name: Str, ready: T.Boolean() }), ...Errors } },
  predict: { params: Name, body: V1Request, response: { 200: T.Object({ predictions: T.Array(T.Unknown()) }), ...Errors } },
}

const MlflowError = T.Object({ error_code: Str, message: Str, request_id: Opt(Str) })

export const ScoringSchemas = {
  invocations: {
    body: T.Unknown({ description: 'dataframe_split, dataframe_records, instances or inputs JSON, or text/csv with a header row.' }),
    response: { 200: T.Object({ predictions: T.Unknown() }), 400: MlflowError, 415: MlflowError, 503: MlflowError },
  },
}
