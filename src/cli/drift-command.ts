import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { csvToDriftFrame } from '../monitoring/drift/csv-frame.js'
import { detectDrift } from '../monitoring/drift/detect-drift.js'
import { isStatTestName, STAT_TEST_NAMES } from '../monitoring/drift/stat-tests.js'
import { invalidParameter, notFound } from '../shared/errors.js'
import { action } from './cli-context.js'
import { printObject, printRows } from './output.js'

interface DriftFlags {
  reference: string
  current: string
  method?: string
  json?: boolean
}

async function readCsv(path: string, role: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    throw notFound(`Cannot read the ${role} CSV '${path}': check the path.`)
  }
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description("compare a current CSV with a reference CSV column by column (Evidently's data-drift tests)")
    .requiredOption('--reference <file>', 'reference CSV with a header row')
    .requiredOption('--current <file>', 'current CSV with the same columns')
    .option('--method <name>', `force one test for every column: ${STAT_TEST_NAMES.join(', ')}`)
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: DriftFlags) => {
        const method = flags.method
        if (method !== undefined && !isStatTestName(method)) {
          throw invalidParameter(`Unknown drift method '${method}'; use one of ${STAT_TEST_NAMES.join(', ')}.`)
        }
        const reference = csvToDriftFrame(await readCsv(flags.reference, 'reference'))
        const current = csvToDriftFrame(await readCsv(flags.current, 'current'))
        const report = detectDrift(reference, current, method === undefined ? {} : { method })
        if (flags.json) return printObject(report, true)
        printRows(report.columns.map((c) => ({ ...c, score: c.score.toPrecision(6) })), ['column', 'type', 'test', 'score', 'threshold', 'drift'], false)
        const verdict = report.dataset_drift ? 'dataset drift detected' : 'no dataset drift'
        process.stdout.write(`${report.drifted} of ${report.columns.length} columns drifted (share ${report.share.toFixed(3)}): ${verdict}\n`)
      }),
    )
}
