import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Services } from '../app/services.js'
import { writeOnnxModel } from '../serving/onnx/onnx-model-writer.test-helper.js'

/**
 * Small ONNX models that onnxruntime really runs, for serving tests: each version of a model
 * applies a different element-wise op to `x` (FP32 [batch, 4]), so a response tells which version
 * answered (Identity → x, Neg → -x, Abs → |x|, Relu → max(x, 0)).
 */
export type UnaryOp = 'Identity' | 'Neg' | 'Abs' | 'Relu' | 'Sigmoid'

const FP32 = 1
const STRING = 8

export function unaryModel(op: UnaryOp, width = 4): Uint8Array {
  return writeOnnxModel({
    inputs: [{ name: 'x', elemType: FP32, shape: ['batch', width] }],
    outputs: [{ name: 'y', elemType: FP32, shape: ['batch', width] }],
    nodes: [{ opType: op, inputs: ['x'], outputs: ['y'] }],
  })
}

/** A model the registry accepts (its signature reads fine) but onnxruntime refuses to load. */
export function unloadableModel(): Uint8Array {
  return writeOnnxModel({
    inputs: [{ name: 'x', elemType: FP32, shape: ['batch', 4] }],
    outputs: [{ name: 'y', elemType: FP32, shape: ['batch', 4] }],
    nodes: [{ opType: 'NoSuchOperator', inputs: ['x'], outputs: ['y'] }],
  })
}

/** BYTES in, BYTES out. */
export function stringModel(): Uint8Array {
  return writeOnnxModel({
    inputs: [{ name: 'text', elemType: STRING, shape: ['batch'] }],
    outputs: [{ name: 'same', elemType: STRING, shape: ['batch'] }],
    nodes: [{ opType: 'Identity', inputs: ['text'], outputs: ['same'] }],
  })
}

/** Registers `name` with one version per model (1, 2, …) and points each alias at its version. */
export async function registerModels(services: Services, name: string, models: Uint8Array[], aliases: Record<string, number> = {}): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-serving-'))
  try {
    await services.registry.createRegisteredModel({ name })
    for (const [i, bytes] of models.entries()) {
      const file = join(folder, `v${i + 1}.onnx`)
      writeFileSync(file, bytes)
      await services.registry.createModelVersion({ name, source: file }, { allowLocalFiles: true })
    }
    for (const [alias, version] of Object.entries(aliases)) await services.registry.setAlias(name, alias, version)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** A V2 request body for the unary models: one row per given row of 4 values. */
export function v2Body(rows: number[][], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, inputs: [{ name: 'x', datatype: 'FP32', shape: [rows.length, rows[0]?.length ?? 4], data: rows.flat() }] }
}
