import { AppError } from '../../shared/errors.js'
import { readOnnxSignature, type TensorSignature } from '../../registry/onnx-signature.js'
import { datatypeFromOrtType, isDatatype } from '../tensor-types.js'
import type { ModelSignature, TensorSpec } from '../tensor-types.js'
import type { OnnxSession, OnnxValueMetadata } from './onnx-runtime-types.js'

/**
 * The V2 signature of a loaded session. onnxruntime's metadata is the source (it is what the
 * session will check); the model file is read only when the metadata is missing (onnxruntime
 * before 1.21) or reports `[]`, which means either a scalar or an undeclared shape.
 *
 * Inputs that are not tensors make the model unservable over V2 (a caller could never feed
 * them); outputs that are not tensors are left out and never fetched.
 */
export function signatureOfSession(session: OnnxSession, model: Uint8Array, label: string): ModelSignature {
  let graph: GraphValues | undefined
  // A model file onnxruntime accepted but this reader cannot follow is trusted to onnxruntime.
  const fromGraph = () => (graph ??= safely(() => readOnnxSignature(model)))
  const spec = (name: string, meta: OnnxValueMetadata | undefined, io: 'input' | 'output') =>
    meta ? specFromMetadata(meta, () => fromGraph()[`${io}s`].find((v) => v.name === name), label, io) : specFromGraph(fromGraph()[`${io}s`].find((v) => v.name === name), name, label, io)

  const inputs = session.inputNames.map((name, i) => spec(name, session.inputMetadata?.[i], 'input'))
  const outputs = session.outputNames.map((name, i) => spec(name, session.outputMetadata?.[i], 'output'))
  const unservable = inputs.find((s) => typeof s === 'string')
  if (unservable !== undefined) throw new AppError('INVALID_PARAMETER_VALUE', unservable as string)
  const tensorOutputs = outputs.filter((s): s is TensorSpec => typeof s !== 'string')
  if (tensorOutputs.length === 0) throw new AppError('INVALID_PARAMETER_VALUE', `model ${label} has no tensor outputs; V2 can only return tensors (${outputs.join('; ')})`)
  return { inputs: inputs as TensorSpec[], outputs: tensorOutputs }
}

type GraphValues = Pick<ReturnType<typeof readOnnxSignature>, 'inputs' | 'outputs'>

/** The graph reader names non-tensor values by kind in place of a datatype. */
const NON_TENSOR_KINDS = new Set(['SEQUENCE', 'MAP', 'OPTIONAL', 'OPAQUE', 'UNDEFINED'])

/** A spec, or a string saying why the value cannot be a V2 tensor. */
function specFromMetadata(meta: OnnxValueMetadata, graph: () => TensorSignature | undefined, label: string, io: string): TensorSpec | string {
  if (!meta.isTensor) {
    const kind = graph()?.datatype.toLowerCase() ?? 'non-tensor'
    return `${io} '${meta.name}' of model ${label} is a ${kind} value; V2 can only carry tensors`
  }
  const datatype = datatypeFromOrtType(meta.type)
  if (datatype === undefined) return `${io} '${meta.name}' of model ${label} has type ${meta.type}, which V2 cannot carry`
  let shape: number[] | undefined = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1))
  if (shape.length === 0) {
    const info = graph()
    if (info !== undefined) shape = info.shape
  }
  return { name: meta.name, datatype, shape }
}

function specFromGraph(info: TensorSignature | undefined, name: string, label: string, io: string): TensorSpec | string {
  if (info === undefined) return `${io} '${name}' of model ${label} is not declared in the model's graph`
  if (NON_TENSOR_KINDS.has(info.datatype)) return `${io} '${name}' of model ${label} is a ${info.datatype.toLowerCase()} value; V2 can only carry tensors`
  if (!isDatatype(info.datatype)) return `${io} '${name}' of model ${label} has ONNX type ${info.datatype}, which V2 cannot carry`
  return { name, datatype: info.datatype, shape: info.shape }
}

function safely(read: () => GraphValues): GraphValues {
  try {
    return read()
  } catch {
    return { inputs: [], outputs: [] }
  }
}
