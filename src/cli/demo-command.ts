import type { Command } from 'commander'
import { buildReport, type DemoReport } from '../demo/demo-report.js'
import { runScenario, StageError } from '../demo/demo-scenario.js'
import { formatSummary } from '../demo/demo-summary.js'
import { openDemoWorkspace } from '../demo/demo-workspace.js'
import { AppError, invalidParameter } from '../shared/errors.js'
import { action } from './cli-context.js'

interface DemoFlags {
  dir?: string
  keep?: boolean
  port: string
  rows?: string
  json?: boolean
  fast?: boolean
}

const DEFAULT_ROWS = 4000
const FAST_ROWS = 1500

function whole(flag: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(`${flag} must be a whole number from ${min} to ${max}; got '${value}'.`)
  return n
}

async function run(flags: DemoFlags): Promise<void> {
  const rows = flags.rows !== undefined ? whole('--rows', flags.rows, 400, 1_000_000) : flags.fast ? FAST_ROWS : DEFAULT_ROWS
  const port = whole('--port', flags.port, 0, 65535)
  // Progress goes to stderr under --json, so stdout stays one JSON document.
  const log = (line: string) => (flags.json ? process.stderr : process.stdout).write(`${line}\n`)
  const startedAt = Date.now()
  const keep = Boolean(flags.keep) || flags.dir !== undefined
  const ws = await openDemoWorkspace({ ...(flags.dir ? { dir: flags.dir } : {}), port })
  log(`Plinth demo: workspace ${ws.dir}, server ${ws.server.url}`)
  // Interrupted: stop the server (and its step processes) and clean up, as a failure does.
  const interrupt = () => void ws.close(keep).finally(() => process.exit(130))
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  let report: DemoReport
  try {
    const result = await runScenario(ws, { rows, bake: flags.fast ? '2s' : '4s', log })
    report = await buildReport(ws.server.services, result, { url: ws.server.url, startedAt, workspace: keep ? ws.dir : null })
  } catch (error) {
    await ws.close(keep)
    const stage = error instanceof StageError ? error.stage : 'the demo'
    const cause = error instanceof StageError ? error.cause : error
    throw new AppError('INVALID_STATE', `The demo stopped at "${stage}": ${(cause as Error).message}${keep ? ` The workspace is kept at ${ws.dir}.` : ' Run again with --keep to look at the workspace.'}`)
  }
  process.off('SIGINT', interrupt)
  process.off('SIGTERM', interrupt)
  await ws.close(keep)
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatSummary(report)}`)
  if (report.outcome === 'failed') process.exitCode = 1
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the whole life cycle on generated churn data: train, register, deploy, traffic, drift, alert, retraining pipeline, gate, canary, promote')
    .option('--dir <dir>', 'workspace folder (default: a temporary folder, removed at the end unless --keep)')
    .option('--keep', 'keep the workspace (SQLite store, artifacts, data, pipeline file) to look at afterwards')
    .option('--port <port>', 'port of the in-process server (0 = any free port)', '0')
    .option('--rows <n>', `training rows; the drifted traffic has as many (default ${DEFAULT_ROWS}, ${FAST_ROWS} with --fast)`)
    .option('--fast', 'fewer rows and shorter canary bakes (for CI)')
    .option('--json', 'print the summary as JSON (progress lines go to stderr)')
    .action(action(run))
}
