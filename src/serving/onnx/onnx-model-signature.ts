import { AppError } from '../../shared/errors.js'
import { datatypeFromOnnxElemType, datatypeFromOrtType } from '../tensor-types.js'
import type { ModelSignature, TensorSpec } from '../tensor-types.js'
import { readGraphValueInfos } from './onnx-graph-reader.js'
import type { GraphValueInfo } from './onnx-graph-reader.js'
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
  let graph: ReturnType<typeof readGraphValueInfos> | undefined
  // A model file onnxruntime accepted but this reader cannot follow is trusted to onnxruntime.
  const fromGraph = () => (graph ??= safely(() => readGraphValueInfos(model)))
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

/** A spec, or a string saying why the value cannot be a V2 tensor. */
function specFromMetadata(meta: OnnxValueMetadata, graph: () => GraphValueInfo | undefined, label: string, io: string): TensorSpec | string {
  if (!meta.isTensor) {
    const kind = graph()?.kind ?? 'non-tensor'
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

function specFromGraph(info: GraphValueInfo | undefined, name: string, label: string, io: string): TensorSpec | string {
  if (info === undefined) return `${io} '${name}' of model ${label} is not declared in the model's graph`
  if (info.kind !== 'tensor') return `${io} '${name}' of model ${label} is a ${info.kind} value; V2 can only carry tensors`
  const datatype = datatypeFromOnnxElemType(info.elemType)
  if (datatype === undefined) return `${io} '${name}' of model ${label} has ONNX type ${info.elemType}, which V2 cannot carry`
  return { name, datatype, shape: info.shape }
}

function safely(read: () => ReturnType<typeof readGraphValueInfos>): ReturnType<typeof readGraphValueInfos> {
  try {
    return read()
  } catch {
    return { inputs: [], outputs: [] }
  }
}
