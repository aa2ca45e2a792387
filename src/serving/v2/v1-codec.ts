import { elementCount, formatShape, shapeMatches } from '../tensor-types.js'
import type { ModelSignature, Tensor, TensorSpec } from '../tensor-types.js'
import { coerceElements, flattenData, invalid, nest, nestedShape, toJsonElements, typeName } from './tensor-data.js'
import type { CoerceOptions, Int64Encoding } from './tensor-data.js'
import { DEFAULT_MAX_ELEMENTS } from './v2-codec.js'
import type { V2DecodeOptions } from './v2-codec.js'

/**
 * KServe V1 / TensorFlow Serving REST bodies (`POST /v1/models/{m}:predict`). They carry no
 * datatypes or shapes: both come from the model's signature and the nesting of the JSON.
 *
 * - `{"instances": [row, …]}`: one row per batch item; a row is the input's value for that item,
 *   or, for models with several inputs, an object `{input_name: value}`.
 * - `{"inputs": value}`: the whole batch at once; `{input_name: value}` for several inputs.
 */
export interface V1DecodeOptions extends V2DecodeOptions, CoerceOptions {}

export function decodeV1PredictRequest(body: unknown, signature: ModelSignature, options: V1DecodeOptions = {}): Tensor[] {
  if (!isObject(body)) throw invalid(`the request body must be a JSON object with "instances" or "inputs", got ${typeName(body)}`)
  const hasInstances = body.instances !== undefined
  if (hasInstances === (body.inputs !== undefined)) throw invalid('send exactly one of "instances" (a list of rows) or "inputs" (the whole batch)')
  const columns = hasInstances ? instancesToColumns(body.instances, signature) : inputsToColumns(body.inputs, signature)
  return signature.inputs.map((spec) => {
    if (!columns.has(spec.name)) throw invalid(`missing input '${spec.name}' (${spec.datatype} ${formatShape(spec.shape)})`)
    return buildTensor(spec, columns.get(spec.name), options)
  })
}

/** Row objects become one stacked value per input (columnar), so both forms share the rest. */
function instancesToColumns(instances: unknown, signature: ModelSignature): Map<string, unknown> {
  if (!Array.isArray(instances)) throw invalid(`"instances" must be a list of rows, got ${typeName(instances)}`)
  const named = instances.length > 0 && instances.every(isObject)
  if (!named) {
    if (signature.inputs.length !== 1) throw invalid(`this model has ${signature.inputs.length} inputs; send each row as an object {${signature.inputs.map((s) => `"${s.name}": …`).join(', ')}}`)
    return new Map([[signature.inputs[0]!.name, instances]])
  }
  const columns = new Map<string, unknown[]>()
  for (const spec of signature.inputs) columns.set(spec.name, [])
  instances.forEach((row, r) => {
    for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
      const column = columns.get(key)
      if (!column) throw unknownInput(key, signature)
      column.push(value)
    }
    for (const [name, column] of columns) if (column.length !== r + 1) throw invalid(`instances[${r}] has no value for input '${name}'`)
  })
  return columns
}

function inputsToColumns(inputs: unknown, signature: ModelSignature): Map<string, unknown> {
  if (!isObject(inputs)) {
    if (signature.inputs.length !== 1) throw invalid(`this model has ${signature.inputs.length} inputs; send "inputs" as an object {input_name: value}`)
    return new Map([[signature.inputs[0]!.name, inputs]])
  }
  for (const key of Object.keys(inputs)) if (!signature.inputs.some((s) => s.name === key)) throw unknownInput(key, signature)
  return new Map(Object.entries(inputs))
}

function buildTensor(spec: TensorSpec, value: unknown, options: V1DecodeOptions): Tensor {
  const what = `input '${spec.name}'`
  let shape = nestedShape(value, what)
  if (!shapeMatches(spec.shape, shape)) {
    // A column of scalars for a model that wants [batch, 1] is what tabular callers send.
    const padded = [...shape, 1]
    if (spec.shape && spec.shape.length === padded.length && spec.shape.at(-1) === 1 && shapeMatches(spec.shape, padded)) shape = padded
    else throw invalid(`${what}: the values nest as ${formatShape(shape)}, which does not fit the model's ${formatShape(spec.shape)} (-1 is any size)`)
  }
  const count = elementCount(shape)
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS
  if (count > maxElements) throw invalid(`${what}: ${count} elements, more than the ${maxElements} allowed; split the request`)
  const flat = Array.isArray(value) ? flattenData(value, count, what, shape) : [value]
  return { name: spec.name, datatype: spec.datatype, shape, data: coerceElements(spec.datatype, flat, what, options) }
}

/**
 * `{"predictions": …}`: with one output, its value per batch row; with several that share the
 * batch dimension, one object per row `{output_name: value}` (TensorFlow Serving's row format);
 * otherwise a single object of whole outputs.
 */
export function encodeV1PredictResponse(outputs: readonly Tensor[], options: { int64?: Int64Encoding } = {}): { predictions: unknown[] } {
  const nested = outputs.map((t) => nest(toJsonElements(t, options.int64), t.shape))
  if (outputs.length === 1) {
    const only = nested[0]
    return { predictions: Array.isArray(only) ? only : [only] }
  }
  const rows = outputs[0]?.shape[0]
  const batched = rows !== undefined && outputs.every((t) => t.shape.length > 0 && t.shape[0] === rows)
  if (!batched) return { predictions: [Object.fromEntries(outputs.map((t, i) => [t.name, nested[i]]))] }
  return {
    predictions: Array.from({ length: rows }, (_, r) => Object.fromEntries(outputs.map((t, i) => [t.name, (nested[i] as unknown[])[r]]))),
  }
}

function unknownInput(name: string, signature: ModelSignature) {
  return invalid(`'${name}' is not an input of this model; its inputs are ${signature.inputs.map((s) => `'${s.name}'`).join(', ')}`)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
