import { allocateTensorData, elementCount } from './tensor-types.js'
import type { LoadedModel } from './inference-engine.js'
import type { ModelSignature, Tensor } from './tensor-types.js'

/**
 * Inputs for a warm-up inference: zeros (empty strings for BYTES), batch 1, every open
 * dimension 1, and a 1-element vector where the model leaves the rank open.
 */
export function warmUpInputs(signature: ModelSignature): Tensor[] {
  return signature.inputs.map((spec) => {
    const shape = spec.shape?.map((d) => (d === -1 ? 1 : d)) ?? [1]
    return { name: spec.name, datatype: spec.datatype, shape, data: allocateTensorData(spec.datatype, elementCount(shape)) }
  })
}

/**
 * One inference on `warmUpInputs`, so the first real request does not pay for onnxruntime's lazy
 * allocations. Returns the error message when the model refuses such inputs (a dimension that
 * must match another, an index input): the model is still served, since real requests may well
 * be fine, and the message is kept for its status.
 */
export async function warmUp(model: LoadedModel): Promise<string | undefined> {
  try {
    await model.infer(warmUpInputs(model.signature))
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
