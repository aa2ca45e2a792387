import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices, type Services } from '../app/services.js'
import type { PipelineOptions } from '../app/pipeline-services.js'
import { resolveConfig } from '../config/index.js'
import type { PipelineEvent } from './pipeline-events.js'
import type { RunStatus, StepAttempt } from './pipeline-store.js'

export interface PipelineFixture {
  readonly services: Services
  readonly dir: string
  readonly events: PipelineEvent[]
  /** Applies the YAML (base folder = the fixture folder), starts a run and waits for its end. */
  run(source: string, params?: Record<string, string>): Promise<{ runId: string; status: RunStatus; steps: Map<string, StepAttempt[]> }>
  wait(runId: string): Promise<{ runId: string; status: RunStatus; steps: Map<string, StepAttempt[]> }>
  close(): Promise<void>
}

export async function openPipelineFixture(options: PipelineOptions = {}): Promise<PipelineFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'plinth-pipe-'))
  const config = resolveConfig({ backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(dir, 'artifacts') }, {})
  const services = await createServices(config, { pipelines: options })
  const events: PipelineEvent[] = []
  services.pipelines.runner.on('event', (e) => events.push(e))
  const wait = async (runId: string) => {
    const status = await services.pipelines.waitFor(runId)
    const { attempts } = await services.pipelines.getRun(runId)
    const steps = new Map<string, StepAttempt[]>()
    for (const a of attempts) steps.set(a.step, [...(steps.get(a.step) ?? []), a])
    return { runId, status, steps }
  }
  return {
    services,
    dir,
    events,
    wait,
    async run(source, params = {}) {
      const { spec } = await services.pipelines.apply(source, { baseDir: dir })
      const launched = await services.pipelines.launch({ pipeline: spec.name, params, trigger: { kind: 'manual' } })
      if (!launched.started) throw new Error(`not started: ${launched.reason}`)
      return wait(launched.runId)
    },
    async close() {
      await services.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export function statuses(steps: Map<string, StepAttempt[]>, step: string): string[] {
  return (steps.get(step) ?? []).map((a) => a.status)
}
