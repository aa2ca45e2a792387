/**
 * Serving with prediction logging on against the same server with it off, in one run.
 *
 *   npx tsx bench/serving/logging.ts [--peers ../shared/peers] [--seconds 10] [--rounds 3] [--skip-build]
 *
 * Batch-1 V2 requests to the reference logistic regression over 32 connections (wrk -t1), on
 * `plinth server` as shipped (SQLite, default batching). Off and on alternate round by round
 * and the medians are compared, because the machine is shared and drifts. After each logging
 * run the server's own counters say how many records were logged and dropped: a ratio bought
 * by dropping records would not count.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fmt } from '../lib/stats.js'
import { runWrk, type WrkResult } from '../lib/wrk.js'
import { checkPeersDir, makeReferenceModel, type Running } from './peers.js'
import { buildPlinth, registerReferenceModel, startPlinth } from './plinth-under-test.js'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '../shared/peers' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    'skip-build': { type: 'boolean', default: false },
  },
})
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const PEERS = checkPeersDir(args.peers!)
const SECONDS = Number(args.seconds)
const ROUNDS = Number(args.rounds)
const CONNECTIONS = Number(args.connections)
const SCRIPT = join(PEERS, 'infer.lua')
const PATH = '/v2/models/lr/infer'

let nextPort = 33000 + Math.floor(Math.random() * 2000)

interface Counts { logged: number; dropped: number; failed: number }

async function counts(base: string): Promise<Counts> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const read = (outcome: string) => Number(new RegExp(`^plinth_prediction_logs_total\\{outcome="${outcome}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? 0)
  return { logged: read('logged'), dropped: read('dropped'), failed: read('failed') }
}

async function stored(base: string): Promise<number> {
  let total = 0
  let token: string | undefined
  do {
    const response = await fetch(`${base}/api/plinth/v1/prediction-logs?model=lr&max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`)
    const page = (await response.json()) as { predictions: unknown[]; next_page_token?: string }
    total += page.predictions.length
    token = page.next_page_token
  } while (token)
  return total
}

/** CPU seconds the server process has used so far, every thread (the log writer's too). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in clock ticks of 1/100 s
}

async function round(model: string, logging: boolean): Promise<{ result: WrkResult; cpuUsPerRequest: number; counts?: Counts; stored?: number }> {
  const server: Running = await startPlinth(REPO, nextPort++, ['--prediction-logging', String(logging)])
  try {
    await registerReferenceModel(server.url, model)
    await runWrk({ url: server.url + PATH, script: SCRIPT, connections: CONNECTIONS, seconds: 2 }) // warm-up
    const before = await counts(server.url)
    const cpuBefore = cpuSeconds(server.process.pid!)
    const result = await runWrk({ url: server.url + PATH, script: SCRIPT, connections: CONNECTIONS, seconds: SECONDS })
    if (!logging) return { result, cpuUsPerRequest: ((cpuSeconds(server.process.pid!) - cpuBefore) * 1e6) / result.requests }
    await new Promise((r) => setTimeout(r, 1000)) // the last batch's flush
    const cpuUsPerRequest = ((cpuSeconds(server.process.pid!) - cpuBefore) * 1e6) / result.requests
    const after = await counts(server.url)
    return {
      result,
      cpuUsPerRequest,
      counts: { logged: after.logged - before.logged, dropped: after.dropped - before.dropped, failed: after.failed - before.failed },
      stored: await stored(server.url),
    }
  } finally {
    await server.stop()
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function main(): Promise<void> {
  if (!args['skip-build']) await buildPlinth(REPO)
  const model = join(mkdtempSync(join(tmpdir(), 'plinth-bench-model-')), 'lr.onnx')
  makeReferenceModel(PEERS, model)
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds of logging off then on`)
  const off: number[] = []
  const on: number[] = []
  const p99: Record<'off' | 'on', number[]> = { off: [], on: [] }
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] }
  for (let i = 0; i < ROUNDS; i++) {
    for (const logging of [false, true]) {
      const { result, cpuUsPerRequest, counts: c, stored: s } = await round(model, logging)
      ;(logging ? on : off).push(result.requestsPerSecond)
      p99[logging ? 'on' : 'off'].push(result.p99)
      cpu[logging ? 'on' : 'off'].push(cpuUsPerRequest)
      const extra = c ? `  logged ${c.logged} dropped ${c.dropped} failed ${c.failed} (in store ${s})` : ''
      console.log(`  round ${i + 1}, logging ${logging ? 'on ' : 'off'} ${fmt(result.requestsPerSecond, 0).padStart(8)} req/s  p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms  server CPU ${fmt(cpuUsPerRequest, 1)} µs/req  failed ${result.failed}${extra}`)
    }
  }
  const ratio = median(on) / median(off)
  console.log('\n| check | figure | target | met |\n|---|---|---|---|')
  console.log(`| throughput, logging on vs off (medians ${fmt(median(on), 0)} / ${fmt(median(off), 0)} req/s) | ${fmt(ratio, 3)} | ≥ 0.90 | ${ratio >= 0.9 ? 'yes' : 'no'} |`)
  console.log(`| server CPU per request, logging on vs off (${fmt(median(cpu.on), 1)} / ${fmt(median(cpu.off), 1)} µs) | ${fmt(median(cpu.on) / median(cpu.off), 2)} | — | — |`)
  console.log(`| p99 latency, logging on vs off (${fmt(median(p99.on), 2)} / ${fmt(median(p99.off), 2)} ms) | ${fmt(median(p99.on) / median(p99.off), 2)} | — | — |`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
