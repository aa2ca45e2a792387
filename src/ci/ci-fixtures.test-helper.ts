import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Services } from '../app/services.js'
import { sampleOnnxModel } from '../registry/onnx-test-writer.test-helper.js'

export interface TrainedRun {
  metrics: Record<string, number>
  params?: Record<string, string>
  /** Logged before `metrics`, so the report must read the latest value, not the first. */
  earlier?: Record<string, number>
}

/** A finished run with the given metrics and params; returns its id. */
export async function logRun(services: Services, name: string, run: TrainedRun): Promise<string> {
  const created = await services.tracking.createRun({ experimentId: '0', runName: name })
  const runId = created.info.runId
  const points = (values: Record<string, number>, step: number) => Object.entries(values).map(([key, value]) => ({ key, value, timestamp: 1_000 + step, step }))
  if (run.earlier) await services.tracking.logBatch(runId, { metrics: points(run.earlier, 0), params: [], tags: [] })
  const params = Object.entries(run.params ?? {}).map(([key, value]) => ({ key, value }))
  await services.tracking.logBatch(runId, { metrics: points(run.metrics, 1), params, tags: [] })
  return runId
}

/**
 * Registers `name` with one version per run (version i from runs[i-1]), plus a last version
 * registered without a run when `withoutRun` is set, and points the aliases at versions.
 */
export async function registerVersions(services: Services, name: string, runIds: string[], aliases: Record<string, number>, withoutRun = false): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-ci-seed-'))
  try {
    const file = join(folder, 'model.onnx')
    writeFileSync(file, sampleOnnxModel())
    await services.registry.createRegisteredModel({ name })
    for (const runId of runIds) await services.registry.createModelVersion({ name, source: file, runId }, { allowLocalFiles: true })
    if (withoutRun) await services.registry.createModelVersion({ name, source: file }, { allowLocalFiles: true })
    for (const [alias, version] of Object.entries(aliases)) await services.registry.setAlias(name, alias, version)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/** The churn model of the tests: v1 (champion) and v2 (challenger, better f1, worse rmse), v3 without a run. */
export async function seedChurn(services: Services): Promise<{ championRun: string; challengerRun: string }> {
  const championRun = await logRun(services, 'train-v1', {
    metrics: { f1: 0.8, accuracy: 0.9, rmse: 0.3, latency_ms: 12, champion_only: 1 },
    params: { lr: '0.1', trees: '100', seed: '1' },
  })
  const challengerRun = await logRun(services, 'train-v2', {
    earlier: { f1: 0.1 },
    metrics: { f1: 0.84, accuracy: 0.9, rmse: 0.33, latency_ms: 10, challenger_only: 2 },
    params: { lr: '0.05', trees: '100', depth: '4' },
  })
  await registerVersions(services, 'churn', [championRun, challengerRun], { champion: 1, challenger: 2 }, true)
  return { championRun, challengerRun }
}
