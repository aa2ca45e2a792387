/**
 * Tiny ONNX models for tests, so the engine can be tested on shapes the backend test data lacks:
 * undeclared shapes, symbolic batch dimensions, several inputs. The bytes come from the training
 * export's production writer.
 */
import { encodeOnnxModel, type OnnxNode, type OnnxValueInfo } from '../../training/onnx/onnx-model-builder.js'

export type ValueSpec = OnnxValueInfo

export type NodeSpec = Pick<OnnxNode, 'opType' | 'inputs' | 'outputs'>

export interface ModelSpec {
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  nodes: NodeSpec[]
  opset?: number
}

export function writeOnnxModel(spec: ModelSpec): Uint8Array {
  return encodeOnnxModel({ ...spec, graphName: 'test', opsetImports: [{ domain: '', version: spec.opset ?? 13 }] })
}
