/**
 * Tracking benchmark: log-batch latency, sustained ingest, run search over 100,000 runs and
 * downsampled metric history, on SQLite and PostgreSQL.
 *
 *   npx tsx bench/tracking/run.ts [--backend sqlite|postgres|both] [--runs 100000] [--points 1000000] [--seconds 10]
 *
 * PostgreSQL uses PLINTH_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test)
 * and a database of its own that it drops afterwards. MLflow's server cannot run here (no PyPI),
 * so its published figures are printed beside Plinth's as anchors, not as same-machine peers:
 * mlflow-go's benchmarks/README.md (MLflow's server on PostgreSQL, k6, 20 virtual users, 30 s) and
 * mlflow-rs's rust/bench/RESULTS.md (MLflow on SQLite, 20,000 runs).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../src/storage/open-database.js'
import { BenchClient } from '../lib/http-client.js'
import { startPlinthServer } from '../lib/server-process.js'
import { fmt, percentiles, timeIt } from '../lib/stats.js'
import { seedHistory, seedRuns } from './seed.js'

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '100000' },
    points: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
  },
})
const RUNS = Number(args.runs)
const POINTS = Number(args.points)
const SECONDS = Number(args.seconds)
const PG_URL = process.env.PLINTH_BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

interface Result { backend: string; name: string; figure: string; target: string; ok: boolean; anchor: string }
const results: Result[] = []

function metricsBatch(n: number, step: number) {
  const timestamp = Date.now()
  return Array.from({ length: n }, (_, i) => ({ key: `k${i % 50}`, value: Math.random(), timestamp, step: step * 1000 + i }))
}

async function createRun(client: BenchClient, experimentId: string): Promise<string> {
  const { run } = await client.json('POST', '/api/2.0/mlflow/runs/create', { experiment_id: experimentId })
  return run.info.run_id as string
}

async function benchLogBatch(backend: string, client: BenchClient, experimentId: string) {
  const runId = await createRun(client, experimentId)
  for (let i = 0; i < 20; i++) await client.json('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics: metricsBatch(1000, i) })
  const samples: number[] = []
  for (let i = 20; i < 320; i++) {
    const body = { run_id: runId, metrics: metricsBatch(1000, i) }
    samples.push(await timeIt(() => client.json('POST', '/api/2.0/mlflow/runs/log-batch', body)))
  }
  const p = percentiles(samples)
  results.push({ backend, name: 'log-batch, 1,000 metrics', figure: `p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms`, target: 'p50 ≤ 10 ms', ok: p.p50 <= 10, anchor: `MLflow 1,200 ms avg per 500-metric batch, Go port 13.1 ms (mlflow-go); Plinth's p50 is ${fmt(1200 / p.p50, 0)}× faster for twice the metrics` })
}

async function benchIngest(backend: string, url: string, experimentId: string) {
  const clients = Array.from({ length: 8 }, () => new BenchClient(url, 1))
  const runIds = await Promise.all(clients.map((c) => createRun(c, experimentId)))
  const body = (i: number, step: number) => ({ run_id: runIds[i], metrics: metricsBatch(1000, step) })
  let points = 0
  const deadline = Date.now() + SECONDS * 1000
  const start = process.hrtime.bigint()
  await Promise.all(
    clients.map(async (client, i) => {
      for (let step = 0; Date.now() < deadline; step++) {
        await client.json('POST', '/api/2.0/mlflow/runs/log-batch', body(i, step))
        points += 1000
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  clients.forEach((c) => c.close())
  const rate = points / seconds
  results.push({ backend, name: 'ingest, 8 clients × log-batch 1,000', figure: `${fmt(rate, 0)} points/s`, target: '≥ 200,000 points/s', ok: rate >= 200_000, anchor: `MLflow ≈ 8,400 points/s: 504 batches of 500 in 30 s with 20 clients (mlflow-go); ${fmt(rate / 8400, 0)}×` })
}

async function benchSearch(backend: string, client: BenchClient, experimentId: string) {
  const body = { experiment_ids: [experimentId], filter: 'metrics.m0 > 0.5', order_by: ['metrics.m1 DESC'], max_results: 100 }
  for (let i = 0; i < 5; i++) await client.json('POST', '/api/2.0/mlflow/runs/search', body)
  const samples: number[] = []
  for (let i = 0; i < 100; i++) {
    samples.push(await timeIt(async () => {
      const page = await client.json('POST', '/api/2.0/mlflow/runs/search', body)
      if (page.runs.length !== 100) throw new Error(`expected 100 runs, got ${page.runs.length}`)
    }))
  }
  const p = percentiles(samples)
  results.push({ backend, name: `search-runs, ${RUNS.toLocaleString('en-US')} runs, metric filter + order, page 100`, figure: `p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms`, target: 'p95 ≤ 50 ms', ok: p.p95 <= 50, anchor: `MLflow p95 162 ms over 20,000 runs, Rust port 36 ms (mlflow-rs); MLflow 1,004 ms avg, Go port 104 ms (mlflow-go)` })
}

async function benchHistory(backend: string, client: BenchClient, runId: string) {
  const path = `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${runId}&metric_key=loss&max_results=1000`
  for (let i = 0; i < 3; i++) await client.json('GET', path)
  const samples: number[] = []
  for (let i = 0; i < 60; i++) {
    samples.push(await timeIt(async () => {
      const { metrics } = await client.json('GET', path)
      if (metrics.length < 900) throw new Error(`expected ~1000 points, got ${metrics.length}`)
    }))
  }
  const p = percentiles(samples)
  results.push({ backend, name: `history ${POINTS.toLocaleString('en-US')} points → 1,000`, figure: `p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms`, target: 'p95 ≤ 100 ms', ok: p.p95 <= 100, anchor: 'MLflow chart view froze the browser 1–2 min on ~10,000-step runs (mlflow#9779)' })
}

async function runBackend(backend: 'sqlite' | 'postgres') {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-bench-'))
  let storeUri = `sqlite:///${join(folder, 'bench.db')}`
  let dropDatabase = async () => {}
  if (backend === 'postgres') {
    const name = `plinth_bench_${process.pid}`
    const admin = await openDatabase(PG_URL)
    const { sql } = await import('kysely')
    await sql`drop database if exists ${sql.id(name)}`.execute(admin.db)
    await sql`create database ${sql.id(name)}`.execute(admin.db)
    await admin.close()
    storeUri = PG_URL.replace(/\/[^/?]+(\?|$)/, `/${name}$1`)
    dropDatabase = async () => {
      const again = await openDatabase(PG_URL)
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(again.db)
      await again.close()
    }
  }
  const server = await startPlinthServer(['--backend-store-uri', storeUri, '--artifacts-destination', join(folder, 'artifacts')])
  const client = new BenchClient(server.url)
  try {
    const { experiment_id: experimentId } = await client.json('POST', '/api/2.0/mlflow/experiments/create', { name: 'bench' })
    process.stderr.write(`[${backend}] log-batch latency…\n`)
    await benchLogBatch(backend, client, experimentId)
    process.stderr.write(`[${backend}] ingest ${SECONDS}s with 8 clients…\n`)
    await benchIngest(backend, server.url, experimentId)
    const database = await openDatabase(storeUri)
    const { experiment_id: searchExperiment } = await client.json('POST', '/api/2.0/mlflow/experiments/create', { name: 'search' })
    await seedRuns(database, searchExperiment, RUNS, (done) => process.stderr.write(`\r[${backend}] seeding runs ${done.toLocaleString('en-US')}/${RUNS.toLocaleString('en-US')}`))
    process.stderr.write(`\n[${backend}] seeding a ${POINTS.toLocaleString('en-US')}-point history…\n`)
    const historyRun = await seedHistory(database, searchExperiment, POINTS)
    if (backend === 'postgres') {
      const { sql } = await import('kysely')
      await sql`analyze`.execute(database.db)
    }
    await database.close()
    process.stderr.write(`[${backend}] search…\n`)
    await benchSearch(backend, client, searchExperiment)
    process.stderr.write(`[${backend}] history…\n`)
    await benchHistory(backend, client, historyRun)
  } finally {
    client.close()
    await server.stop()
    await dropDatabase()
    rmSync(folder, { recursive: true, force: true })
  }
}

process.stderr.write(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}\n`)
const backends = args.backend === 'both' ? (['sqlite', 'postgres'] as const) : [args.backend as 'sqlite' | 'postgres']
for (const backend of backends) await runBackend(backend)

console.log(`\n${RUNS.toLocaleString('en-US')} runs, ${POINTS.toLocaleString('en-US')}-point history, ${SECONDS} s ingest; ${cpus().length} CPUs, load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log('\n| backend | benchmark | Plinth | target | met | MLflow anchor |')
console.log('|---|---|---|---|---|---|')
for (const r of results) console.log(`| ${r.backend} | ${r.name} | ${r.figure} | ${r.target} | ${r.ok ? 'yes' : 'NO'} | ${r.anchor} |`)
