/**
 * Dependency-finished -> step-started latency of the pipeline runner on the local executor.
 * For every step with upstream steps: (its process spawn time) - (the end of its last upstream
 * step's process), from the store's attempt timestamps. Runs a chain and a fan-out/fan-in of
 * trivial `true` steps against a file SQLite store, as `plinth server` runs by default. For the
 * fan-out, the first and the last of the N steps made ready together are reported apart: on two
 * cores the last one waits for the N-1 spawns before it.
 *
 * Two executors run side by side, runs interleaved, each with its own store: steps spawned
 * through the spawn helper process (the default) and spawned from the server's own process.
 *
 *   npx tsx bench/pipelines/latency.ts [--steps 20] [--runs 5]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createArtifactStore } from '../../src/artifacts/create-artifact-store.js'
import { createServices, type Services } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { HelperSpawner } from '../../src/pipelines/executors/helper-spawner.js'
import { LocalExecutor } from '../../src/pipelines/executors/local-executor.js'
import { directSpawner, type Spawner } from '../../src/pipelines/executors/spawner.js'
import { PipelineGraph } from '../../src/pipelines/pipeline-graph.js'
import type { StepAttempt } from '../../src/pipelines/pipeline-store.js'
import { fmt, percentiles } from '../lib/stats.js'

const TARGET_MS = 50
const AIRFLOW_NOTE = 'Airflow (issue figure): scheduler loop seconds per task hand-off; up to ~20 s queued on KubernetesExecutor (apache/airflow#55937)'

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}

function chain(n: number): string {
  const steps = Array.from({ length: n }, (_, i) => `  - {name: s${i}, run: "true", cache: false${i > 0 ? `, depends: [s${i - 1}]` : ''}}`)
  return `name: bench-chain\nsteps:\n${steps.join('\n')}\n`
}

function fan(n: number): string {
  const mids = Array.from({ length: n }, (_, i) => `  - {name: m${i}, run: "true", cache: false, depends: [root]}`)
  return `name: bench-fan\nsteps:\n  - {name: root, run: "true", cache: false}\n${mids.join('\n')}\n  - {name: join, run: "true", cache: false, depends: [${mids.map((_, i) => `m${i}`).join(', ')}]}\n`
}

interface Sample { readonly total: number; readonly notice: number; readonly setup: number }

function sample(byStep: Map<string, StepAttempt>, step: string, ups: readonly string[]): Sample {
  const a = byStep.get(step)!
  const depEnd = Math.max(...ups.map((u) => byStep.get(u)!.endedAt!))
  return { total: a.startedAt! - depEnd, notice: a.readyAt! - depEnd, setup: a.startedAt! - a.readyAt! }
}

/** Every step with upstream steps, plus (fan-out) the first and last of the middle steps to start. */
function samples(attempts: StepAttempt[], graph: PipelineGraph): { all: Sample[]; first?: Sample; last?: Sample } {
  const byStep = new Map(attempts.map((a) => [a.step, a]))
  const all: Sample[] = []
  const mids: Sample[] = []
  for (const [step, ups] of graph.upstream) {
    if (ups.length === 0) continue
    all.push(sample(byStep, step, ups))
    if (step.startsWith('m')) mids.push(all.at(-1)!)
  }
  if (mids.length === 0) return { all }
  mids.sort((a, b) => a.total - b.total)
  return { all, first: mids[0]!, last: mids.at(-1)! }
}

function line(label: string, list: Sample[]): string {
  const total = percentiles(list.map((s) => s.total))
  const setup = percentiles(list.map((s) => s.setup))
  const notice = percentiles(list.map((s) => s.notice))
  return `  ${label.padEnd(22)} n=${String(list.length).padStart(3)}  p50 ${fmt(total.p50, 0).padStart(4)}  p95 ${fmt(total.p95, 0).padStart(4)}  max ${fmt(Math.max(...list.map((s) => s.total)), 0).padStart(4)} ms   (dep end -> ready p50 ${fmt(notice.p50, 0)}, ready -> spawn p50 ${fmt(setup.p50, 0)} / p95 ${fmt(setup.p95, 0)} ms)\n`
}

interface Mode { readonly name: string; readonly services: Services; readonly spawner: Spawner }

async function openMode(name: string, dir: string, spawner: Spawner): Promise<Mode> {
  const artifacts = createArtifactStore(join(dir, `${name}-artifacts`))
  const executor = new LocalExecutor({ artifacts, spawner })
  const services = await createServices(resolveConfig({ backendStoreUri: `sqlite:///${join(dir, `${name}.db`)}`, artifactsDestination: join(dir, `${name}-artifacts`) }, {}), { pipelines: { executor } })
  return { name, services, spawner }
}

async function runOnce(mode: Mode, pipeline: string): Promise<StepAttempt[]> {
  const launched = await mode.services.pipelines.launch({ pipeline, params: {}, trigger: { kind: 'manual' } })
  if (!launched.started) throw new Error('not started')
  const status = await mode.services.pipelines.waitFor(launched.runId)
  if (status !== 'succeeded') throw new Error(`run ${launched.runId} ${status}`)
  return (await mode.services.pipelines.getRun(launched.runId)).attempts
}

async function main(): Promise<void> {
  const steps = arg('steps', 20)
  const runs = arg('runs', 5)
  const dir = await mkdtemp(join(tmpdir(), 'plinth-bench-pipe-'))
  const helper = new HelperSpawner()
  await helper.whenReady()
  const modes = [await openMode('helper', dir, helper), await openMode('in-process', dir, directSpawner)]
  try {
    for (const [label, source] of [['chain', chain(steps)], ['fan-out', fan(steps)]] as const) {
      const collected = new Map(modes.map((m) => [m.name, { all: [] as Sample[], first: [] as Sample[], last: [] as Sample[] }]))
      let graph: PipelineGraph | undefined
      let name = ''
      for (const mode of modes) {
        const { spec } = await mode.services.pipelines.apply(source, { baseDir: dir })
        graph = new PipelineGraph(spec)
        name = spec.name
      }
      for (let i = 0; i < runs + 1; i++) {
        for (const mode of modes) {
          const attempts = await runOnce(mode, name)
          // The first run warms up (JIT, experiment creation) and is left out.
          if (i === 0) continue
          const got = samples(attempts, graph!)
          const into = collected.get(mode.name)!
          into.all.push(...got.all)
          if (got.first) into.first.push(got.first)
          if (got.last) into.last.push(got.last)
        }
      }
      process.stdout.write(`${label} of ${steps} (target <= ${TARGET_MS} ms per hand-off)\n`)
      for (const mode of modes) {
        const c = collected.get(mode.name)!
        process.stdout.write(` spawn ${mode.name}\n${line('every hand-off', c.all)}`)
        if (c.first.length > 0) process.stdout.write(line(`first of ${steps} to start`, c.first) + line(`last of ${steps} to start`, c.last))
      }
    }
    process.stdout.write(`${AIRFLOW_NOTE}\n`)
  } finally {
    for (const mode of modes) await mode.services.close()
    await helper.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
