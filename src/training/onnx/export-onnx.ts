import { PLINTH_VERSION } from '../../version.js'
import type { TrainedModel } from '../training-types.js'
import { classificationHead, inputInfo, REGRESSION_OUTPUT, BATCH } from './onnx-heads.js'
import { linearGraph } from './linear-graph.js'
import { encodeOnnxModel, ONNX_FLOAT, type OnnxValueInfo } from './onnx-model-builder.js'
import { ML_DOMAIN, ML_OPSET, treeGraph } from './tree-graph.js'

/** Metadata keys written into the model file, so a served model says what it was trained on. */
export const METADATA_KEYS = { features: 'plinth.features', classes: 'plinth.classes', task: 'plinth.task', model: 'plinth.model' } as const

/**
 * The trained model as ONNX: one float tensor `input` [N, features] in the order of
 * `featureNames`; a regressor gives `variable` [N, 1], a classifier `label` [N] (int64) and
 * `probabilities` [N, classes].
 */
export function exportOnnx(model: TrainedModel, featureNames: readonly string[]): Uint8Array {
  const classifier = model.task === 'classification'
  const raw = classifier ? 'raw_scores' : REGRESSION_OUTPUT
  const body = model.kind === 'gbt' ? treeGraph(model, raw) : linearGraph(model, raw)
  const nodes = [...body.nodes]
  const initializers = [...body.initializers]
  let outputs: OnnxValueInfo[] = [{ name: REGRESSION_OUTPUT, elemType: ONNX_FLOAT, shape: [BATCH, 1] }]
  if (classifier) {
    const classes = model.classes!
    const head = classificationHead(raw, model.kind === 'gbt' ? model.baseScores.length : model.outputs, classes)
    nodes.push(...head.part.nodes)
    initializers.push(...head.part.initializers)
    outputs = head.outputs
  }
  return encodeOnnxModel({
    inputs: [inputInfo(featureNames.length)],
    outputs,
    nodes,
    initializers,
    opsetImports: [{ domain: '', version: 17 }, ...(model.kind === 'gbt' ? [{ domain: ML_DOMAIN, version: ML_OPSET }] : [])],
    producerName: 'plinth',
    producerVersion: PLINTH_VERSION,
    graphName: `plinth_${model.kind}`,
    metadata: {
      [METADATA_KEYS.features]: JSON.stringify(featureNames),
      [METADATA_KEYS.task]: model.task,
      [METADATA_KEYS.model]: model.kind,
      ...(classifier ? { [METADATA_KEYS.classes]: JSON.stringify(model.classes!.names) } : {}),
    },
  })
}
