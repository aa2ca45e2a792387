import { AppError } from '../../shared/errors.js'
import type { InferenceEngine, LoadOptions, LoadedModel } from '../inference-engine.js'
import { DATATYPE_INFO, datatypeFromOrtType, elementCount } from '../tensor-types.js'
import type { ModelSignature, Tensor, TensorData } from '../tensor-types.js'
import { signatureOfSession } from './onnx-model-signature.js'
import type { OnnxRuntime, OnnxSession, OnnxTensor } from './onnx-runtime-types.js'

export interface OnnxEngineOptions {
  /** Default intra-op threads per session when `load` is not given any. Default 1. */
  intraOpThreads?: number
  /**
   * onnxruntime's own log level, 0 (verbose) to 4 (fatal). Default 4: load and run failures come
   * back as errors anyway, and what it logs (a caller's bad shapes at error level, old opsets as
   * warnings) goes straight to stderr, past the server's logger.
   */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4
  /** Replaces `await import('onnxruntime-node')`, for tests. */
  runtime?: () => Promise<OnnxRuntime>
}

let runtimePromise: Promise<OnnxRuntime> | undefined

/** onnxruntime-node is ~100 MB of native code; only processes that serve models pay for it. */
async function importOnnxRuntime(): Promise<OnnxRuntime> {
  runtimePromise ??= import('onnxruntime-node').then(
    (mod) => ((mod as { default?: unknown }).default ?? mod) as OnnxRuntime,
    (error: unknown) => {
      runtimePromise = undefined
      throw new AppError('INTERNAL_ERROR', 'onnxruntime-node is not installed; run `npm install onnxruntime-node` to serve ONNX models', { cause: error })
    },
  )
  return runtimePromise
}

export class OnnxInferenceEngine implements InferenceEngine {
  readonly #options: OnnxEngineOptions

  constructor(options: OnnxEngineOptions = {}) {
    this.#options = options
  }

  async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<LoadedModel> {
    const ort = await (this.#options.runtime ?? importOnnxRuntime)()
    const label = options.label ?? 'model'
    let session: OnnxSession
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.intraOpThreads ?? this.#options.intraOpThreads ?? 1,
        // Sequential execution runs one node at a time, so an inter-op pool would only sit idle.
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: this.#options.logSeverityLevel ?? 4,
      })
    } catch (error) {
      throw new AppError('INVALID_PARAMETER_VALUE', `onnxruntime cannot load ${label}: ${messageOf(error)}`, { cause: error })
    }
    try {
      const signature = signatureOfSession(session, bytes, label)
      // Weights are held once by onnxruntime and once more in its arena and prepacked buffers;
      // twice the file size is the estimate Plinth's memory budget works with.
      return new OnnxLoadedModel(ort, session, signature, bytes.byteLength * 2, label)
    } catch (error) {
      await session.release().catch(() => undefined)
      throw error
    }
  }
}

class OnnxLoadedModel implements LoadedModel {
  readonly signature: ModelSignature
  readonly memoryBytes: number
  readonly #ort: OnnxRuntime
  readonly #session: OnnxSession
  readonly #label: string
  readonly #allOutputs: string[]
  #disposed: Promise<void> | undefined
  #running = 0
  #idle: (() => void) | undefined

  constructor(ort: OnnxRuntime, session: OnnxSession, signature: ModelSignature, memoryBytes: number, label: string) {
    this.#ort = ort
    this.#session = session
    this.signature = signature
    this.memoryBytes = memoryBytes
    this.#label = label
    this.#allOutputs = signature.outputs.map((o) => o.name)
  }

  async infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]> {
    if (this.#disposed) throw new AppError('TEMPORARILY_UNAVAILABLE', `${this.#label} was unloaded; retry the request`)
    const fetches = outputNames ?? this.#allOutputs
    if (outputNames !== undefined) {
      for (const name of fetches) {
        if (!this.signature.outputs.some((o) => o.name === name)) throw unknownName('output', name, this.signature.outputs, this.#label)
      }
    }
    const feeds: Record<string, OnnxTensor> = {}
    for (const input of inputs) {
      if (!this.signature.inputs.some((i) => i.name === input.name)) throw unknownName('input', input.name, this.signature.inputs, this.#label)
      feeds[input.name] = this.#toOrt(input)
    }
    this.#running++
    try {
      const results = await this.#session.run(feeds, fetches)
      return fetches.map((name) => fromOrt(name, results[name]!))
    } catch (error) {
      if (error instanceof AppError) throw error
      // The inputs already fit the signature, so what is left is the model refusing this data
      // (dims that must agree, an index out of range): the caller's to fix.
      throw new AppError('INVALID_PARAMETER_VALUE', `${this.#label} could not run on these inputs: ${messageOf(error)}`, { cause: error })
    } finally {
      if (--this.#running === 0) this.#idle?.()
    }
  }

  dispose(): Promise<void> {
    this.#disposed ??= (async () => {
      if (this.#running > 0) await new Promise<void>((resolve) => (this.#idle = resolve))
      await this.#session.release()
    })()
    return this.#disposed
  }

  #toOrt(tensor: Tensor): OnnxTensor {
    if (tensor.data.length !== elementCount(tensor.shape)) {
      throw new AppError('INVALID_PARAMETER_VALUE', `input '${tensor.name}' has ${tensor.data.length} elements; shape [${tensor.shape.join(', ')}] needs ${elementCount(tensor.shape)}`)
    }
    try {
      return new this.#ort.Tensor(DATATYPE_INFO[tensor.datatype].ortType, tensor.data, tensor.shape)
    } catch (error) {
      throw new AppError('INVALID_PARAMETER_VALUE', `input '${tensor.name}' cannot be given to onnxruntime: ${messageOf(error)}`, { cause: error })
    }
  }
}

function fromOrt(name: string, value: OnnxTensor): Tensor {
  const datatype = datatypeFromOrtType(value.type)
  if (datatype === undefined) throw new AppError('INTERNAL_ERROR', `output '${name}' has type ${value.type}, which V2 cannot carry`)
  let data = value.data as TensorData
  // onnxruntime-node hands back bool outputs as Uint8Array already; this guards other backends
  // (and a future Float16Array) so the one-representation rule of tensor-types.ts holds.
  if (datatype === 'BOOL' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0))
  if (datatype === 'FP16' && !(data instanceof Uint16Array)) {
    const view = data as unknown as ArrayBufferView
    data = new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2)
  }
  return { name, datatype, shape: [...value.dims], data }
}

function unknownName(io: 'input' | 'output', name: string, specs: ModelSignature['inputs'], label: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', `${label} has no ${io} named '${name}'; its ${io}s are ${specs.map((s) => `'${s.name}'`).join(', ')}`)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
