/**
 * Dependency-finished -> step-started latency of the pipeline runner on the local executor.
 * For every step with upstream steps: (its process spawn time) - (the end of its last upstream
 * step's process), from the store's attempt timestamps. Runs a chain and a fan-out/fan-in of
 * trivial `true` steps against a file SQLite store, as `plinth server` runs by default.
 *
 *   npx tsx bench/pipelines/latency.ts [--steps 20] [--runs 5]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
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

function samples(attempts: StepAttempt[], graph: PipelineGraph): Sample[] {
  const byStep = new Map(attempts.map((a) => [a.step, a]))
  const out: Sample[] = []
  for (const [step, ups] of graph.upstream) {
    if (ups.length === 0) continue
    const a = byStep.get(step)!
    const depEnd = Math.max(...ups.map((u) => byStep.get(u)!.endedAt!))
    out.push({ total: a.startedAt! - depEnd, notice: a.readyAt! - depEnd, setup: a.startedAt! - a.readyAt! })
  }
  return out
}

function report(label: string, all: Sample[]): void {
  const total = percentiles(all.map((s) => s.total))
  const max = Math.max(...all.map((s) => s.total))
  const notice = percentiles(all.map((s) => s.notice))
  const setup = percentiles(all.map((s) => s.setup))
  process.stdout.write(`${label.padEnd(10)} n=${all.length}  p50 ${fmt(total.p50)} ms  p95 ${fmt(total.p95)} ms  p99 ${fmt(total.p99)} ms  max ${fmt(max)} ms  (target <= ${TARGET_MS} ms: p99/target = ${fmt(total.p99 / TARGET_MS, 2)})\n`)
  process.stdout.write(`${''.padEnd(10)} of which: dep end -> ready p50 ${fmt(notice.p50)} / p99 ${fmt(notice.p99)} ms; ready -> spawn p50 ${fmt(setup.p50)} / p99 ${fmt(setup.p99)} ms\n`)
}

async function main(): Promise<void> {
  const steps = arg('steps', 20)
  const runs = arg('runs', 5)
  const dir = await mkdtemp(join(tmpdir(), 'plinth-bench-pipe-'))
  const services = await createServices(resolveConfig({ backendStoreUri: `sqlite:///${join(dir, 'plinth.db')}`, artifactsDestination: join(dir, 'artifacts') }, {}))
  try {
    for (const [label, source] of [['chain', chain(steps)], ['fan-out', fan(steps)]] as const) {
      const { spec } = await services.pipelines.apply(source, { baseDir: dir })
      const graph = new PipelineGraph(spec)
      const all: Sample[] = []
      for (let i = 0; i < runs + 1; i++) {
        const launched = await services.pipelines.launch({ pipeline: spec.name, params: {}, trigger: { kind: 'manual' } })
        if (!launched.started) throw new Error('not started')
        const status = await services.pipelines.waitFor(launched.runId)
        if (status !== 'succeeded') throw new Error(`run ${launched.runId} ${status}`)
        // The first run warms up (JIT, experiment creation) and is left out.
        if (i > 0) all.push(...samples((await services.pipelines.getRun(launched.runId)).attempts, graph))
      }
      report(label, all)
    }
    process.stdout.write(`${AIRFLOW_NOTE}\n`)
  } finally {
    await services.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
