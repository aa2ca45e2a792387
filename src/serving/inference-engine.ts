import type { ModelSignature, Tensor } from './tensor-types.js'

export interface LoadOptions {
  /**
   * Threads one inference may use. Default 1: the server runs one worker per core and batches
   * requests, so more threads per model would only contend.
   */
  intraOpThreads?: number
  /** Used in error messages (for example `churn/3`). */
  label?: string
}

/** Turns model bytes into something that runs inferences. One per runtime (ONNX Runtime…). */
export interface InferenceEngine {
  /**
   * Loads a model. INVALID_PARAMETER_VALUE when the bytes are not a model the engine can run or
   * it has inputs V2 cannot carry (sequences, maps); INTERNAL_ERROR when the runtime itself is
   * missing. Does not run an inference (the model cache warms models up).
   */
  load(bytes: Uint8Array, options?: LoadOptions): Promise<LoadedModel>
}

/** A model in memory. Safe to call `infer` concurrently. */
export interface LoadedModel {
  /** Inputs and outputs, with -1 for any size. Outputs that are not tensors are left out. */
  readonly signature: ModelSignature
  /** Estimated bytes held while loaded, for the model cache's memory budget. */
  readonly memoryBytes: number
  /**
   * Runs one inference. `outputNames` selects outputs (all by default), returned in that order.
   * Inputs are expected to be validated against `signature` already (see `v2/v2-codec.ts`);
   * INVALID_PARAMETER_VALUE for an unknown input or output name, or when the model rejects the
   * inputs at run time (shapes that do not fit each other); TEMPORARILY_UNAVAILABLE after
   * `dispose`.
   */
  infer(inputs: Tensor[], outputNames?: string[]): Promise<Tensor[]>
  /** Frees the model's memory. Idempotent; inferences already running finish first. */
  dispose(): Promise<void>
}
