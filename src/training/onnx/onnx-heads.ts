import type { ClassLabels } from '../training-types.js'
import { ONNX_FLOAT, ONNX_INT64, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-model-builder.js'

/** The graph a model contributes: nodes from `input` to a raw-score tensor, and their weights. */
export interface GraphPart {
  readonly nodes: OnnxNode[]
  readonly initializers: OnnxTensor[]
}

export const INPUT_NAME = 'input'
export const BATCH = 'N'

export function inputInfo(features: number): OnnxValueInfo {
  return { name: INPUT_NAME, elemType: ONNX_FLOAT, shape: [BATCH, features] }
}

/** A regressor's output: `variable` [N, 1], as sklearn-onnx names it. */
export const REGRESSION_OUTPUT = 'variable'

/**
 * Raw scores to `probabilities` [N, C] and `label` [N] (int64): sigmoid with 1 − p for one logit,
 * softmax for several; the label is the class value at the arg-max, first on ties like the
 * in-memory model.
 */
export function classificationHead(raw: string, outputs: number, classes: ClassLabels): { part: GraphPart; outputs: OnnxValueInfo[] } {
  const nodes: OnnxNode[] = []
  const initializers: OnnxTensor[] = [{ name: 'class_values', dims: [classes.values.length], data: BigInt64Array.from(classes.values) }]
  if (outputs === 1) {
    initializers.push({ name: 'one', dims: [1], data: [1] })
    nodes.push(
      { opType: 'Sigmoid', inputs: [raw], outputs: ['positive'] },
      { opType: 'Sub', inputs: ['one', 'positive'], outputs: ['negative'] },
      { opType: 'Concat', inputs: ['negative', 'positive'], outputs: ['probabilities'], attributes: { axis: { int: 1 } } },
    )
  } else {
    nodes.push({ opType: 'Softmax', inputs: [raw], outputs: ['probabilities'], attributes: { axis: { int: 1 } } })
  }
  nodes.push(
    { opType: 'ArgMax', inputs: ['probabilities'], outputs: ['class_index'], attributes: { axis: { int: 1 }, keepdims: { int: 0 } } },
    { opType: 'Gather', inputs: ['class_values', 'class_index'], outputs: ['label'], attributes: { axis: { int: 0 } } },
  )
  return {
    part: { nodes, initializers },
    outputs: [
      { name: 'label', elemType: ONNX_INT64, shape: [BATCH] },
      { name: 'probabilities', elemType: ONNX_FLOAT, shape: [BATCH, classes.names.length] },
    ],
  }
}
