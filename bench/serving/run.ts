/**
 * Serving benchmark: Plinth's Open Inference Protocol endpoint against its peers, in one run.
 *
 *   npx tsx bench/serving/run.ts [--peers ../shared/peers] [--seconds 10] [--skip-build]
 *
 * Needs wrk and, for the peers, Debian's python3-fastapi, python3-uvicorn, python3-sklearn and
 * python3-onnx. Every figure is one `wrk -t1` run of batch-1 V2 requests to the reference
 * logistic regression; the machine is shared, so the ratios are what to read.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { fmt } from '../lib/stats.js'
import { runWrk, type WrkResult } from '../lib/wrk.js'
import { checkPeersDir, makeReferenceModel, startBareNodePeer, startFastApiPeer, type Running } from './peers.js'
import { buildPlinth, call, registerReferenceModel, setChampion, startPlinth } from './plinth-under-test.js'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '../shared/peers' },
    seconds: { type: 'string', default: '10' },
    'skip-build': { type: 'boolean', default: false },
  },
})
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const PEERS = checkPeersDir(args.peers!)
const SECONDS = Number(args.seconds)
const SCRIPT = join(PEERS, 'infer.lua')
const PATH = '/v2/models/lr/infer'
// Batching is a per-server setting; the defaults are what `plinth server` ships with.
const BATCHING_OFF = ['--max-batch-size', '1']
const BATCHING_ON = ['--max-batch-size', '64', '--max-queue-delay-ms', '2']

let nextPort = 31000 + Math.floor(Math.random() * 2000)
const port = () => nextPort++

interface Row { name: string; result: WrkResult }
interface Check { what: string; figure: string; target: string; ok: boolean }
const rows: Row[] = []
const checks: Check[] = []

async function measure(name: string, url: string, connections = 32, seconds = SECONDS): Promise<WrkResult> {
  await runWrk({ url, script: SCRIPT, connections, seconds: 2 }) // warm-up: JIT, model load, connection set-up
  const result = await runWrk({ url, script: SCRIPT, connections, seconds })
  rows.push({ name, result })
  console.log(`  ${name.padEnd(44)} ${fmt(result.requestsPerSecond, 0).padStart(8)} req/s  p50 ${fmt(result.p50, 2)} ms  p99 ${fmt(result.p99, 2)} ms  failed ${result.failed}`)
  return result
}

async function withServer<T>(start: () => Promise<Running>, body: (server: Running) => Promise<T>): Promise<T> {
  const server = await start()
  try {
    return await body(server)
  } finally {
    await server.stop()
  }
}

async function plinthWithModel(model: string, extra: string[] = []): Promise<Running> {
  const server = await startPlinth(REPO, port(), extra)
  await registerReferenceModel(server.url, model)
  return server
}

async function main(): Promise<void> {
  if (!args['skip-build']) await buildPlinth(REPO)
  const model = join(mkdtempSync(join(tmpdir(), 'plinth-bench-model-')), 'lr.onnx')
  makeReferenceModel(PEERS, model)

  console.log(`\n32 connections, ${SECONDS} s each`)
  const fastapi = await withServer(() => startFastApiPeer(PEERS, port()), (s) => measure('FastAPI + scikit-learn peer', s.url + PATH))
  const bare = await withServer(() => startBareNodePeer(PEERS, model, port(), REPO), (s) => measure('bare node:http + onnxruntime-node peer', s.url + PATH))
  const one = await withServer(() => plinthWithModel(model), (s) => measure('Plinth, 1 worker', s.url + PATH))
  const two = await withServer(() => plinthWithModel(model, ['--workers', '2']), (s) => measure('Plinth, --workers 2', s.url + PATH))
  check('throughput vs FastAPI peer', one.requestsPerSecond / fastapi.requestsPerSecond, '≥ 12×', (r) => r >= 12, '×')
  check('p99 vs FastAPI peer', one.p99 / fastapi.p99, '≤ 0.10', (r) => r <= 0.1, '')
  check('1 worker vs bare Node', one.requestsPerSecond / bare.requestsPerSecond, '≥ 0.85', (r) => r >= 0.85, '')
  check('--workers 2 vs bare Node', two.requestsPerSecond / bare.requestsPerSecond, '> 1.00', (r) => r > 1, '')

  console.log(`\n256 connections: dynamic batching`)
  const off = await withServer(() => plinthWithModel(model, BATCHING_OFF), (s) => measure('Plinth, batching off', s.url + PATH, 256))
  const on = await withServer(() => plinthWithModel(model, BATCHING_ON), (s) => measure('Plinth, batching on', s.url + PATH, 256))
  check('batching on vs off, throughput', on.requestsPerSecond / off.requestsPerSecond, '≥ 2×', (r) => r >= 2, '×')
  check('batching on vs off, p99', on.p99 / off.p99, '≤ 1.00', (r) => r <= 1, '')

  console.log(`\nrollouts`)
  await withServer(() => plinthWithModel(model), async (s) => {
    const load = runWrk({ url: s.url + PATH, script: SCRIPT, connections: 32, seconds: 30 })
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 1400))
      await setChampion(s.url, 'lr', String((i % 2) + 1))
    }
    const result = await load
    rows.push({ name: '30 s load with 20 alias moves', result })
    console.log(`  ${'30 s load with 20 alias moves'.padEnd(44)} ${fmt(result.requestsPerSecond, 0).padStart(8)} req/s  failed ${result.failed}`)
    checks.push({ what: 'failed requests across 20 alias moves', figure: `${result.failed} of ${result.requests}`, target: '0 at ≥ 1,000 req/s', ok: result.failed === 0 && result.requestsPerSecond >= 1000 })

    await call(s.url, 'POST', '/api/plinth/v1/deployments', {
      name: 'lrdep',
      routes: [{ model: 'lr', alias: 'champion', weight: 90 }, { model: 'lr', version: '2', weight: 10 }],
      shadow: { model: 'lr', version: '2', share: 0.1 },
    })
    const plain = await measure('model endpoint (no deployment)', s.url + PATH)
    const routed = await measure('deployment: 10% canary + 10% shadow', `${s.url}/v2/models/lrdep/infer`)
    check('canary + shadow throughput cost', 1 - routed.requestsPerSecond / plain.requestsPerSecond, '≤ 15%', (r) => r <= 0.15, '%')
  })

  console.log('\n| check | figure | target | met |\n|---|---|---|---|')
  for (const c of checks) console.log(`| ${c.what} | ${c.figure} | ${c.target} | ${c.ok ? 'yes' : 'no'} |`)
}

function check(what: string, ratio: number, target: string, ok: (r: number) => boolean, unit: '×' | '%' | ''): void {
  const figure = unit === '%' ? `${fmt(ratio * 100, 1)}%` : `${fmt(ratio, 2)}${unit}`
  checks.push({ what, figure, target, ok: ok(ratio) })
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
