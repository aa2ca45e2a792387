/**
 * Serving with prediction logging on against the same server with it off, in one run.
 *
 *   npx tsx bench/serving/logging.ts [--peers ../shared/peers] [--seconds 10] [--rounds 3] [--skip-build]
 *
 * Batch-1 V2 requests to the reference logistic regression over 32 connections (wrk -t1), on
 * `plinth server` as shipped (SQLite, default batching). Off and on alternate round by round
 * and the medians are compared, because the machine is shared and drifts. After each logging
 * run the server's own counters say how many records were logged and dropped: a ratio bought
 * by dropping records would not count. Server CPU per request is split by thread: the event
 * loop's, and the log writer's (per logged record), which the machine's load barely moves.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
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
const ONE_REQUEST = JSON.stringify({ inputs: [{ name: 'X', shape: [1, 8], datatype: 'FP32', data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }] })

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

/** CPU seconds a process (or one of its threads) has used so far: utime + stime, in ticks of 1/100 s. */
function cpuSeconds(statPath: string): number {
  const fields = readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** CPU seconds per thread of the server, by thread id. */
function threadSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, cpuSeconds(`/proc/${pid}/task/${tid}/stat`))
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads
}

interface CpuSplit {
  /** Every thread, per request. */
  total: number
  /** The event loop's thread (its id is the process id), per request. */
  serving: number
  /**
   * Threads started after the model was registered, per request: with logging on, the log
   * writer's (it starts on the first write); none with logging off. Its CPU per record is
   * logging's own cost on that side, a figure the machine's load barely moves.
   */
  started: number
}

function cpuSplit(pid: number, early: Set<string>, before: Map<string, number>, after: Map<string, number>, requests: number): CpuSplit {
  const split: CpuSplit = { total: 0, serving: 0, started: 0 }
  for (const [tid, seconds] of after) {
    const us = ((seconds - (before.get(tid) ?? 0)) * 1e6) / requests
    split.total += us
    if (tid === String(pid)) split.serving += us
    else if (!early.has(tid)) split.started += us
  }
  return split
}

async function round(model: string, logging: boolean): Promise<{ result: WrkResult; cpu: CpuSplit; counts?: Counts; stored?: number }> {
  const server: Running = await startPlinth(REPO, nextPort++, ['--prediction-logging', String(logging)])
  const pid = server.process.pid!
  try {
    await registerReferenceModel(server.url, model)
    // One request loads the model (and its runtime's threads); the log writer starts with the
    // first flush, 250 ms later, so it is not among the threads seen now.
    await fetch(server.url + PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ONE_REQUEST })
    const early = new Set(threadSeconds(pid).keys())
    await runWrk({ url: server.url + PATH, script: SCRIPT, connections: CONNECTIONS, seconds: 2 }) // warm-up
    const before = await counts(server.url)
    const cpuBefore = threadSeconds(pid)
    const result = await runWrk({ url: server.url + PATH, script: SCRIPT, connections: CONNECTIONS, seconds: SECONDS })
    if (!logging) return { result, cpu: cpuSplit(pid, early, cpuBefore, threadSeconds(pid), result.requests) }
    await new Promise((r) => setTimeout(r, 1000)) // the last batch's flush
    const cpu = cpuSplit(pid, early, cpuBefore, threadSeconds(pid), result.requests)
    const after = await counts(server.url)
    return {
      result,
      cpu,
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
  const serving: Record<'off' | 'on', number[]> = { off: [], on: [] }
  const writer: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    for (const logging of [false, true]) {
      const { result, cpu: split, counts: c, stored: s } = await round(model, logging)
      const side = logging ? 'on' : 'off'
      ;(logging ? on : off).push(result.requestsPerSecond)
      p99[side].push(result.p99)
      cpu[side].push(split.total)
      serving[side].push(split.serving)
      if (logging) writer.push(split.started)
      const extra = c ? `  logged ${c.logged} dropped ${c.dropped} failed ${c.failed} (in store ${s})` : ''
      const threads = `(serving thread ${fmt(split.serving, 1)}, threads started under load ${fmt(split.started, 1)})`
      console.log(`  round ${i + 1}, logging ${logging ? 'on ' : 'off'} ${fmt(result.requestsPerSecond, 0).padStart(8)} req/s  p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms  server CPU ${fmt(split.total, 1)} µs/req ${threads}  failed ${result.failed}${extra}`)
    }
  }
  const ratio = median(on) / median(off)
  console.log('\n| check | figure | target | met |\n|---|---|---|---|')
  console.log(`| throughput, logging on vs off (medians ${fmt(median(on), 0)} / ${fmt(median(off), 0)} req/s) | ${fmt(ratio, 3)} | ≥ 0.90 | ${ratio >= 0.9 ? 'yes' : 'no'} |`)
  console.log(`| server CPU per request, logging on vs off (${fmt(median(cpu.on), 1)} / ${fmt(median(cpu.off), 1)} µs) | ${fmt(median(cpu.on) / median(cpu.off), 2)} | ≤ 1.11 | ${median(cpu.on) / median(cpu.off) <= 1.11 ? 'yes' : 'no'} |`)
  console.log(`| serving thread CPU per request, logging on vs off (µs) | ${fmt(median(serving.on), 1)} / ${fmt(median(serving.off), 1)} | — | — |`)
  console.log(`| log writer thread CPU per record (µs) | ${fmt(median(writer), 1)} | — | — |`)
  console.log(`| p99 latency, logging on vs off (${fmt(median(p99.on), 2)} / ${fmt(median(p99.off), 2)} ms) | ${fmt(median(p99.on) / median(p99.off), 2)} | — | — |`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
