import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Services } from '../app/services.js'
import { sampleOnnxModel } from '../registry/onnx-test-writer.test-helper.js'

export interface SeededModel {
  /** The run the last version was registered from. */
  runId: string
}

/**
 * Registers `name` with `versions` versions of a small ONNX model (the last one from a run, for
 * lineage) and points each given alias at its version.
 */
export async function seedModel(services: Services, name: string, versions: number, aliases: Record<string, number> = {}): Promise<SeededModel> {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-seed-'))
  try {
    const file = join(folder, 'model.onnx')
    writeFileSync(file, sampleOnnxModel())
    const run = await services.tracking.createRun({ experimentId: '0', runName: `train-${name}` })
    await services.registry.createRegisteredModel({ name })
    for (let v = 1; v <= versions; v++) {
      const runId = v === versions ? run.info.runId : undefined
      await services.registry.createModelVersion({ name, source: file, runId }, { allowLocalFiles: true })
    }
    for (const [alias, version] of Object.entries(aliases)) await services.registry.setAlias(name, alias, version)
    return { runId: run.info.runId }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
