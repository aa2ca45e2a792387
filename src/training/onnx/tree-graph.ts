import type { BoostedTreesModel } from '../training-types.js'
import { INPUT_NAME, type GraphPart } from './onnx-heads.js'

/** ai.onnx.ml opset 3: TreeEnsembleRegressor with float attributes, in every onnxruntime CPU build. */
export const ML_DOMAIN = 'ai.onnx.ml'
export const ML_OPSET = 3

interface Arrays {
  treeIds: number[]
  nodeIds: number[]
  featureIds: number[]
  values: number[]
  modes: string[]
  trueIds: number[]
  falseIds: number[]
  targetTree: number[]
  targetNode: number[]
  targetId: number[]
  targetWeight: number[]
}

function addTree(a: Arrays, model: BoostedTreesModel, output: number, index: number, treeId: number): void {
  const tree = model.trees[output]![index]!
  for (let node = 0; node < tree.feature.length; node++) {
    const leaf = tree.feature[node]! < 0
    a.treeIds.push(treeId)
    a.nodeIds.push(node)
    a.featureIds.push(leaf ? 0 : tree.feature[node]!)
    a.values.push(leaf ? 0 : tree.threshold[node]!)
    a.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ')
    a.trueIds.push(leaf ? 0 : tree.left[node]!)
    a.falseIds.push(leaf ? 0 : tree.right[node]!)
    if (!leaf) continue
    a.targetTree.push(treeId)
    a.targetNode.push(node)
    a.targetId.push(output)
    a.targetWeight.push(tree.value[node]!)
  }
}

/** Every tree of every output in one TreeEnsembleRegressor summing into n_targets raw scores. */
export function treeGraph(model: BoostedTreesModel, rawName: string): GraphPart {
  const a: Arrays = { treeIds: [], nodeIds: [], featureIds: [], values: [], modes: [], trueIds: [], falseIds: [], targetTree: [], targetNode: [], targetId: [], targetWeight: [] }
  let treeId = 0
  model.trees.forEach((trees, output) => trees.forEach((_, index) => addTree(a, model, output, index, treeId++)))
  return {
    initializers: [],
    nodes: [{
      opType: 'TreeEnsembleRegressor',
      domain: ML_DOMAIN,
      inputs: [INPUT_NAME],
      outputs: [rawName],
      attributes: {
        n_targets: { int: model.baseScores.length },
        aggregate_function: { string: 'SUM' },
        post_transform: { string: 'NONE' },
        base_values: { floats: model.baseScores },
        nodes_treeids: { ints: a.treeIds },
        nodes_nodeids: { ints: a.nodeIds },
        nodes_featureids: { ints: a.featureIds },
        nodes_values: { floats: a.values },
        nodes_modes: { strings: a.modes },
        nodes_truenodeids: { ints: a.trueIds },
        nodes_falsenodeids: { ints: a.falseIds },
        target_treeids: { ints: a.targetTree },
        target_nodeids: { ints: a.targetNode },
        target_ids: { ints: a.targetId },
        target_weights: { floats: a.targetWeight },
      },
    }],
  }
}
