import type { LinearScores } from '../training-types.js'
import { INPUT_NAME, type GraphPart } from './onnx-heads.js'

/**
 * Standardization stays in the graph as Sub/Div rather than folded into the weights: float32 keeps
 * (x − mean)/scale accurate where x·(w/scale) − Σ w·mean/scale would cancel on large means.
 */
export function linearGraph(model: LinearScores, rawName: string): GraphPart {
  const features = model.mean.length
  return {
    initializers: [
      { name: 'feature_mean', dims: [features], data: Float32Array.from(model.mean) },
      { name: 'feature_scale', dims: [features], data: Float32Array.from(model.scale) },
      { name: 'weights', dims: [features, model.outputs], data: Float32Array.from(model.weights) },
      { name: 'intercepts', dims: [model.outputs], data: Float32Array.from(model.intercepts) },
    ],
    nodes: [
      { opType: 'Sub', inputs: [INPUT_NAME, 'feature_mean'], outputs: ['centered'] },
      { opType: 'Div', inputs: ['centered', 'feature_scale'], outputs: ['standardized'] },
      { opType: 'MatMul', inputs: ['standardized', 'weights'], outputs: ['weighted'] },
      { opType: 'Add', inputs: ['weighted', 'intercepts'], outputs: [rawName] },
    ],
  }
}
