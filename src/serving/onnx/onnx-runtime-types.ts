/**
 * The parts of onnxruntime-node (onnxruntime-common 1.30 typings) Plinth uses, described here so
 * the rest of the code never imports the package's types and the package stays a lazy import.
 */

export interface OnnxSessionOptions {
  intraOpNumThreads?: number
  interOpNumThreads?: number
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
  executionMode?: 'sequential' | 'parallel'
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4
}

export interface OnnxTensor {
  readonly type: string
  readonly dims: readonly number[]
  readonly data: unknown
  dispose?(): void
}

/** `InferenceSession.ValueMetadata`; `shape` holds numbers and symbolic dimension names. */
export type OnnxValueMetadata =
  | { readonly name: string; readonly isTensor: false }
  | { readonly name: string; readonly isTensor: true; readonly type: string; readonly shape: ReadonlyArray<number | string> }

export interface OnnxSession {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Present from onnxruntime 1.21 on. */
  readonly inputMetadata?: readonly OnnxValueMetadata[]
  readonly outputMetadata?: readonly OnnxValueMetadata[]
  run(feeds: Record<string, OnnxTensor>, fetches: readonly string[]): Promise<Record<string, OnnxTensor>>
  release(): Promise<void>
}

export interface OnnxRuntime {
  InferenceSession: { create(model: Uint8Array, options?: OnnxSessionOptions): Promise<OnnxSession> }
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OnnxTensor
  env: { logLevel?: string }
}
