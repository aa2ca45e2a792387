import type { Command } from 'commander'
import { predictionLogToWire } from '../monitoring/prediction-log-wire.js'
import type { PredictionLog } from '../monitoring/prediction-log-store.js'
import { AppError } from '../shared/errors.js'
import { action, withServices, withStore } from './cli-context.js'
import { printRows } from './output.js'

type Flags = {
  backendStoreUri?: string
  json?: boolean
  model?: string
  version?: string
  deployment?: string
  startTime?: string
  endTime?: string
  maxResults?: string
  pageToken?: string
}

function whole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new AppError('INVALID_PARAMETER_VALUE', `${flag} must be a whole number; got '${value}'.`)
  return n
}

/** Inputs and outputs shortened to a glance: the first row of each column. */
function glance(columns: PredictionLog['inputs']): string {
  const text = Object.entries(columns).map(([name, values]) => `${name}=${JSON.stringify(values[0] ?? null)}`).join(' ')
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

function row(log: PredictionLog) {
  return { prediction_id: log.predictionId, time: log.time, model: log.model, version: log.version, deployment: log.deployment, rows: log.rows, latency_ms: Math.round(log.latencyMs * 1000) / 1000, error: log.error, inputs: glance(log.inputs), outputs: glance(log.outputs) }
}

/** `plinth predictions list`: the prediction logs, oldest first, as the API lists them. */
export function registerPredictionsCommand(program: Command): void {
  const predictions = program.command('predictions').description('prediction logs of served (and ingested) requests')
  withStore(predictions.command('list'))
    .description('list prediction logs, oldest first')
    .option('--model <name>', 'only this model')
    .option('--version <version>', 'only this version')
    .option('--deployment <name>', 'only this deployment')
    .option('--start-time <ms>', 'from this time, milliseconds since the epoch (inclusive)')
    .option('--end-time <ms>', 'up to this time (exclusive)')
    .option('--max-results <n>', 'at most this many (default 100)')
    .option('--page-token <token>', 'the next page of a previous --json listing')
    .option('--json', 'the records as JSON, whole, with next_page_token')
    .action(
      action(async (flags: Flags) => {
        const query = {
          ...(flags.model !== undefined ? { model: flags.model } : {}),
          ...(flags.version !== undefined ? { version: flags.version } : {}),
          ...(flags.deployment !== undefined ? { deployment: flags.deployment } : {}),
          ...(flags.startTime !== undefined ? { startTime: whole(flags.startTime, '--start-time') } : {}),
          ...(flags.endTime !== undefined ? { endTime: whole(flags.endTime, '--end-time') } : {}),
          ...(flags.maxResults !== undefined ? { maxResults: whole(flags.maxResults, '--max-results') } : {}),
          ...(flags.pageToken !== undefined ? { pageToken: flags.pageToken } : {}),
        }
        await withServices(flags, async (services) => {
          const page = await services.predictionLogs.list(query)
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ predictions: page.items.map(predictionLogToWire), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) }, null, 2)}\n`)
            return
          }
          printRows(page.items.map(row), ['prediction_id', 'time', 'model', 'version', 'deployment', 'rows', 'latency_ms', 'error', 'inputs', 'outputs'], false)
          if (page.nextPageToken) process.stdout.write(`more: --page-token ${page.nextPageToken}\n`)
        })
      }),
    )
}
