import { statSync } from 'node:fs'
import cliProgress from 'cli-progress'
import type { Command } from 'commander'
import { MAX_FEEDBACK_PER_REQUEST, MAX_UNKNOWN_IDS_REPORTED, type FeedbackService } from '../monitoring/feedback-service.js'
import { AppError, isAppError } from '../shared/errors.js'
import { action, withServices, withStore } from './cli-context.js'
import { readFeedbackFile, type FeedbackLine } from './feedback-file.js'
import { printObject } from './output.js'

/** Files above this size get a progress bar (on a terminal). */
const PROGRESS_BAR_BYTES = 1 << 20

export interface FeedbackTotals {
  sent: number
  accepted: number
  unknownCount: number
  unknownIds: string[]
}


/** Sends a batch, turning `feedback[i]` in an error into the file's line number. */
async function submit(service: FeedbackService, batch: FeedbackLine[]) {
  try {
    return await service.submit(batch)
  } catch (error) {
    const at = isAppError(error) ? /feedback\[(\d+)\]/.exec(error.message) : null
    if (!at) throw error
    const appError = error as AppError
    const message = `Line ${batch[Number(at[1])]?.line}: ${appError.message.replace(/feedback\[\d+\]\.?/g, '')}`
    throw new AppError(appError.code, message, { cause: error })
  }
}

/**
 * Streams a labels file into the feedback service in batches of the request limit. A batch with a
 * bad line stops the run (earlier batches stay stored; re-sending is harmless, the latest label wins).
 */
export async function sendFeedbackFile(service: FeedbackService, path: string, onBytes?: (bytes: number) => void): Promise<FeedbackTotals> {
  const totals: FeedbackTotals = { sent: 0, accepted: 0, unknownCount: 0, unknownIds: [] }
  let batch: FeedbackLine[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const result = await submit(service, batch)
    totals.sent += batch.length
    totals.accepted += result.accepted
    totals.unknownCount += result.unknownCount
    totals.unknownIds.push(...result.unknownIds.slice(0, MAX_UNKNOWN_IDS_REPORTED - totals.unknownIds.length))
    batch = []
  }
  for await (const line of readFeedbackFile(path, onBytes)) {
    batch.push(line)
    if (batch.length === MAX_FEEDBACK_PER_REQUEST) await flush()
  }
  await flush()
  if (totals.sent === 0) throw new AppError('INVALID_PARAMETER_VALUE', `No labels in '${path}': it needs a prediction_id,label header (CSV) or {"prediction_id", "label"} lines (JSONL).`)
  return totals
}

export function registerFeedbackCommand(program: Command): void {
  withStore(program.command('feedback'))
    .description('send ground-truth labels for logged predictions, from a CSV (prediction_id,label) or JSON lines file')
    .requiredOption('--file <path>', 'labels.csv or labels.jsonl; a label may be a JSON array for a multi-row prediction')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { file: string; json?: boolean; backendStoreUri?: string }) => {
        await withServices(flags, async (services) => {
          const service = services.feedback
          let size = 0
          try {
            size = statSync(flags.file).size
          } catch {
            // readFeedbackFile reports the missing file.
          }
          const bar = process.stderr.isTTY && !flags.json && size > PROGRESS_BAR_BYTES
            ? new cliProgress.SingleBar({ stream: process.stderr, format: 'labels {bar} {percentage}% | {value}/{total} bytes | ETA {eta}s' }, cliProgress.Presets.shades_classic)
            : undefined
          bar?.start(size, 0)
          try {
            const totals = await sendFeedbackFile(service, flags.file, bar && ((bytes) => bar.update(bytes)))
            bar?.update(size)
            bar?.stop()
            if (flags.json) return printObject({ sent: totals.sent, accepted: totals.accepted, unknown_count: totals.unknownCount, unknown_ids: totals.unknownIds }, true)
            process.stdout.write(`Sent ${totals.sent} labels: ${totals.accepted} matched a logged prediction, ${totals.unknownCount} unknown.\n`)
            if (totals.unknownCount > 0) process.stdout.write(`Unknown ids (first ${totals.unknownIds.length}): ${totals.unknownIds.join(', ')}\n`)
          } finally {
            bar?.stop()
          }
        })
      }),
    )
}
