/**
 * Drift benchmark: `plinth drift` against the SciPy reference script, in one run, on the same
 * seeded files (1,000,000 reference + 1,000,000 current rows × 20 numeric columns by default).
 *
 *   npx tsx bench/drift/run.ts [--peers ../shared/peers] [--rows 1000000] [--columns 20] [--tests default,ks,psi] [--runs 1] [--skip-build]
 *
 * For the default tests (wasserstein on these columns), `ks` and `psi` (or `--tests`) it prints
 * the load average, each side's computation seconds (both report it themselves, on the same
 * terms: the clock starts once both files are parsed and stops when the report is built; module
 * loading, which includes Plinth's worker thread start-up, comes before it on both sides),
 * whole-command wall time, CPU time and peak RSS (from /usr/bin/time), the ratios, and whether every score
 * agrees to 1e-9.
 * Needs Debian's python3-numpy, python3-scipy and python3-pandas, and GNU time.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { buildPlinth } from '../serving/plinth-under-test.js'
import { ensureDataSet } from './data.js'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '../shared/peers' },
    rows: { type: 'string', default: '1000000' },
    columns: { type: 'string', default: '20' },
    tests: { type: 'string', default: 'default,ks,psi' },
    runs: { type: 'string', default: '1' },
    'skip-build': { type: 'boolean', default: false },
  },
})
const REPO = fileURLToPath(new URL('../..', import.meta.url))
const PEER = join(resolve(args.peers!), 'drift_reference.py')
if (!existsSync(PEER)) throw new Error(`drift_reference.py is missing from ${resolve(args.peers!)}; pass --peers DIR`)
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
const TIME = '/usr/bin/time'
if (!existsSync(TIME)) throw new Error('GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time')
const ROWS = Number(args.rows)
const COLUMNS = Number(args.columns)
const TOLERANCE = 1e-9
/** `default` runs each column's default test (wasserstein on these columns); other names force that test. */
const TESTS = args.tests!.split(',').map((name) => name.trim()).filter(Boolean)
const RUNS = Number(args.runs)

interface Run {
  wall: number
  /** User + system CPU seconds of the whole command: the work done, whatever share of the cores it got. */
  cpu: number
  peakRssMb: number
  seconds: number
  scores: number[]
}

/** Runs a command under GNU time and parses its JSON report (bare NaN/Infinity allowed). */
function timed(command: string, commandArgs: string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TIME, ['-f', '__time__ %e %M %U %S', command, ...commandArgs], { cwd: REPO })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (err += d))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${commandArgs.join(' ')} exited ${code}:\n${err}`))
      const [, wall, rss, user, system] = /__time__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(err) ?? []
      const report = JSON.parse(out.replace(/-?Infinity|NaN/g, 'null')) as { seconds: number; columns: { score: number | null }[] }
      resolvePromise({ wall: Number(wall), cpu: Number(user) + Number(system), peakRssMb: Number(rss) / 1024, seconds: report.seconds, scores: report.columns.map((c) => c.score ?? NaN) })
    })
  })
}

function agree(a: readonly number[], b: readonly number[]): string {
  let worst = 0
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) continue
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), Number.MIN_VALUE))
  }
  return `${worst <= TOLERANCE ? 'yes' : 'NO'} (worst ${worst.toExponential(1)})`
}

const f = (x: number, digits = 2): string => x.toFixed(digits)

async function main(): Promise<void> {
  if (!args['skip-build']) await buildPlinth(REPO)
  const cli = join(REPO, 'dist/cli/main.js')
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run without --skip-build')
  console.log(`generating ${ROWS} + ${ROWS} rows × ${COLUMNS} columns (seeded, reused when present)…`)
  const data = await ensureDataSet(join(REPO, '.bench-data/drift'), ROWS, COLUMNS)
  const version = readFileSync(join(REPO, 'package.json'), 'utf8').match(/"version": "([^"]+)"/)?.[1]
  console.log(`plinth ${version}, node ${process.version}; peer ${PEER}\n`)
  console.log('tests          load 1/5 m   SciPy s  Plinth s  ratio | SciPy wall  Plinth wall  ratio | SciPy CPU  Plinth CPU | SciPy RSS  Plinth RSS | scores agree')
  for (let run = 1; run <= RUNS; run++) for (const name of TESTS) {
    const method = name === 'default' ? undefined : name
    const extra = method === undefined ? [] : [method]
    // The machine may be shared: the load before each pair says how much to trust the row.
    const load = loadavg().slice(0, 2).map((x) => f(x)).join('/')
    const peer = await timed(PYTHON, [PEER, data.reference, data.current, ...extra])
    const plinth = await timed(process.execPath, [cli, 'drift', '--reference', data.reference, '--current', data.current, '--json', ...(method ? ['--method', method] : [])])
    console.log(
      [
        `${name}${RUNS > 1 ? ` #${run}` : ''}`.padEnd(12),
        load.padStart(11),
        f(peer.seconds).padStart(9), f(plinth.seconds).padStart(9), `${f(peer.seconds / plinth.seconds, 1)}×`.padStart(6), '|',
        f(peer.wall).padStart(10), f(plinth.wall).padStart(12), `${f(peer.wall / plinth.wall, 1)}×`.padStart(6), '|',
        f(peer.cpu).padStart(9), f(plinth.cpu).padStart(11), '|',
        `${f(peer.peakRssMb, 0)} MB`.padStart(9), `${f(plinth.peakRssMb, 0)} MB`.padStart(11), '|',
        agree(plinth.scores, peer.scores),
      ].join(' '),
    )
  }
}

await main()
