import { DATATYPES, elementCount, formatShape, isDatatype, shapeMatches } from '../tensor-types.js'
import type { ModelSignature, Tensor, TensorSpec } from '../tensor-types.js'
import { coerceElements, flattenData, invalid, toJsonElements, typeName } from './tensor-data.js'
import type { Int64Encoding } from './tensor-data.js'

/**
 * Open Inference Protocol (KServe V2) JSON bodies ↔ tensors, validated against the model's
 * signature so that every mistake a caller can make is a 400 naming the tensor and the fix,
 * never an onnxruntime error or a crash. See ../shared/specs/open_inference_rest.yaml.
 */

/** 16M elements: 64 MB as FP32, far above any JSON body a server should parse. */
export const DEFAULT_MAX_ELEMENTS = 16 * 1024 * 1024

export interface V2DecodeOptions {
  /** Largest element count accepted for one input, checked before anything is allocated. */
  maxElements?: number
}

export interface V2InferRequest {
  /** Must be echoed in the response. */
  id?: string
  parameters?: Record<string, unknown>
  /** In the signature's input order. */
  inputs: Tensor[]
  /** Outputs asked for, in order; undefined means all of them. */
  outputs?: string[]
}

export interface V2ResponseOutput {
  name: string
  datatype: string
  shape: number[]
  data: unknown[]
}

export interface V2InferResponse {
  model_name: string
  model_version?: string
  id?: string
  parameters?: Record<string, unknown>
  outputs: V2ResponseOutput[]
}

export interface V2ResponseMeta {
  modelName: string
  modelVersion?: string
  id?: string
  parameters?: Record<string, unknown>
}

export interface V2MetadataTensor {
  name: string
  datatype: string
  shape: number[]
}

export interface V2ModelMetadata {
  name: string
  versions?: string[]
  platform: string
  inputs: V2MetadataTensor[]
  outputs: V2MetadataTensor[]
}

/** Decodes and validates `POST /v2/models/{m}[/versions/{v}]/infer`'s JSON body. */
export function decodeV2InferRequest(body: unknown, signature: ModelSignature, options: V2DecodeOptions = {}): V2InferRequest {
  if (!isObject(body)) throw invalid(`the request body must be a JSON object with "inputs", got ${typeName(body)}`)
  const request: V2InferRequest = { inputs: [] }
  if (body.id !== undefined) {
    if (typeof body.id !== 'string') throw invalid(`"id" must be a string, got ${typeName(body.id)}`)
    request.id = body.id
  }
  if (body.parameters !== undefined) {
    if (!isObject(body.parameters)) throw invalid(`"parameters" must be an object, got ${typeName(body.parameters)}`)
    request.parameters = body.parameters
  }
  if (!Array.isArray(body.inputs)) throw invalid(`"inputs" must be an array of tensors, got ${typeName(body.inputs)}`)
  const byName = new Map<string, Tensor>()
  body.inputs.forEach((raw, index) => {
    const tensor = decodeInput(raw, index, signature, options.maxElements ?? DEFAULT_MAX_ELEMENTS)
    if (byName.has(tensor.name)) throw invalid(`input '${tensor.name}' is given twice; send each input once`)
    byName.set(tensor.name, tensor)
  })
  const missing = signature.inputs.filter((s) => !byName.has(s.name))
  if (missing.length > 0) throw invalid(`missing input${missing.length > 1 ? 's' : ''} ${missing.map(describeSpec).join(', ')}`)
  request.inputs = signature.inputs.map((s) => byName.get(s.name)!)
  if (body.outputs !== undefined) request.outputs = decodeRequestedOutputs(body.outputs, signature)
  return request
}

function decodeInput(raw: unknown, index: number, signature: ModelSignature, maxElements: number): Tensor {
  if (!isObject(raw)) throw invalid(`inputs[${index}] must be an object with name, shape, datatype and data, got ${typeName(raw)}`)
  if (typeof raw.name !== 'string') throw invalid(`inputs[${index}].name must be a string, got ${typeName(raw.name)}`)
  const name = raw.name
  const what = `input '${name}'`
  const spec = signature.inputs.find((s) => s.name === name)
  if (!spec) throw invalid(`${what} is not an input of this model; its inputs are ${signature.inputs.map(describeSpec).join(', ')}`)
  if (isObject(raw.parameters) && raw.parameters.binary_data_size !== undefined) {
    throw invalid(`${what} uses binary tensor data (binary_data_size), which this endpoint does not accept; send the values in "data"`)
  }
  if (!isDatatype(raw.datatype)) {
    const hint = raw.datatype === 'BF16' ? ' (BF16 is not supported by onnxruntime)' : ''
    throw invalid(`${what}: datatype ${JSON.stringify(raw.datatype)} is not a V2 datatype${hint}; use ${spec.datatype} (one of ${DATATYPES.join(', ')})`)
  }
  if (raw.datatype !== spec.datatype) throw invalid(`${what}: datatype is ${raw.datatype} but the model expects ${spec.datatype}`)
  const shape = decodeShape(raw.shape, what)
  if (!shapeMatches(spec.shape, shape)) {
    throw invalid(`${what}: shape ${formatShape(shape)} does not fit the model's ${formatShape(spec.shape)} (-1 is any size)`)
  }
  const count = elementCount(shape)
  if (count > maxElements) throw invalid(`${what}: shape ${formatShape(shape)} has ${count} elements, more than the ${maxElements} allowed; split the request`)
  const flat = flattenData(raw.data, count, what, shape)
  return { name, datatype: spec.datatype, shape, data: coerceElements(spec.datatype, flat, what) }
}

function decodeShape(raw: unknown, what: string): number[] {
  if (!Array.isArray(raw)) throw invalid(`${what}: "shape" must be an array of sizes, got ${typeName(raw)}`)
  for (const d of raw) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw invalid(`${what}: shape ${JSON.stringify(raw)} must hold whole sizes of 0 or more (the batch's real size, not -1)`)
    }
  }
  return raw as number[]
}

function decodeRequestedOutputs(raw: unknown, signature: ModelSignature): string[] {
  if (!Array.isArray(raw)) throw invalid(`"outputs" must be an array of {"name": ...}, got ${typeName(raw)}`)
  const names: string[] = []
  raw.forEach((o, index) => {
    const name = isObject(o) ? o.name : undefined
    if (typeof name !== 'string') throw invalid(`outputs[${index}].name must be a string`)
    if (!signature.outputs.some((s) => s.name === name)) {
      throw invalid(`output '${name}' is not an output of this model; its outputs are ${signature.outputs.map(describeSpec).join(', ')}`)
    }
    // Asking twice for one output is harmless; it is returned once. Binary output (Triton's
    // "binary_data": true) is not offered, and its clients read JSON "data" when no
    // binary_data_size comes back, so that parameter is ignored rather than refused.
    if (!names.includes(name)) names.push(name)
  })
  return names
}

/** The V2 response body for `outputs`. */
export function encodeV2InferResponse(outputs: readonly Tensor[], meta: V2ResponseMeta, options: { int64?: Int64Encoding } = {}): V2InferResponse {
  const response: V2InferResponse = { model_name: meta.modelName, outputs: [] }
  if (meta.modelVersion !== undefined) response.model_version = meta.modelVersion
  if (meta.id !== undefined) response.id = meta.id
  if (meta.parameters !== undefined) response.parameters = meta.parameters
  response.outputs = outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, data: toJsonElements(t, options.int64) }))
  return response
}

/**
 * `GET /v2/models/{m}[/versions/{v}]`. An input whose rank the model leaves open is shown as
 * `[-1]`: the metadata format has no way to say "any rank", and a 1-D tensor of any size is
 * one shape such a model accepts.
 */
export function encodeV2ModelMetadata(name: string, signature: ModelSignature, extra: { versions?: string[]; platform?: string } = {}): V2ModelMetadata {
  const tensor = (s: TensorSpec): V2MetadataTensor => ({ name: s.name, datatype: s.datatype, shape: s.shape ?? [-1] })
  const metadata: V2ModelMetadata = { name, platform: extra.platform ?? 'onnx_onnxv1', inputs: signature.inputs.map(tensor), outputs: signature.outputs.map(tensor) }
  if (extra.versions) metadata.versions = extra.versions
  return metadata
}

function describeSpec(s: TensorSpec): string {
  return `'${s.name}' (${s.datatype} ${formatShape(s.shape)})`
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

