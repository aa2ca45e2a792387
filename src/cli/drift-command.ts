import { statSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { readCsvColumns } from '../monitoring/drift/csv-columns.js'
import type { DriftFrame } from '../monitoring/drift/detect-drift.js'
import { DriftThreads } from '../monitoring/drift/drift-threads.js'
import { detectDriftInParallel } from '../monitoring/drift/parallel-drift.js'
import { featureChart, renderDriftHtml, type FeatureChart } from '../monitoring/drift/html-report.js'
import { isStatTestName, STAT_TEST_NAMES } from '../monitoring/drift/stat-tests.js'
import { isProfileFile, readProfileFile } from '../monitoring/profiles/profile-file.js'
import { driftFromProfiles, profileFrame } from '../monitoring/profiles/profile-drift.js'
import { AppError, invalidParameter, notFound } from '../shared/errors.js'
import { action } from './cli-context.js'
import { printObject, printRows } from './output.js'

interface DriftFlags {
  reference: string
  current: string
  method?: string
  json?: boolean
  html?: string
}

/** Below this many bytes of CSV (about two million numbers) worker threads cost more than they save. */
const PARALLEL_MIN_BYTES = 16 << 20

/** Files smaller than this read too fast for a progress bar to help. */
const PROGRESS_MIN_BYTES = 32 << 20

function fileSize(path: string, role: string): number {
  try {
    const stat = statSync(path)
    if (!stat.isFile()) throw new Error('not a file')
    return stat.size
  } catch {
    throw notFound(`Cannot read the ${role} file '${path}': check the path.`)
  }
}

/** Reads a CSV, with a progress bar on stderr when stderr is a terminal and the file is big. */
function readTable(path: string, role: string): DriftFrame {
  const size = fileSize(path, role)
  const bar =
    process.stderr.isTTY && size >= PROGRESS_MIN_BYTES
      ? new SingleBar({ format: `reading ${role} [{bar}] {percentage}% | {value}/{total} MB`, stream: process.stderr, hideCursor: true, clearOnComplete: true })
      : undefined
  bar?.start(Math.ceil(size / 2 ** 20), 0)
  try {
    return readCsvColumns(path, role, bar ? { progress: (bytes) => bar.update(Math.floor(Math.min(bytes, size) / 2 ** 20)) } : {})
  } finally {
    bar?.stop()
  }
}

function writeHtml(path: string, html: string): void {
  try {
    writeFileSync(path, html)
  } catch (error) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Cannot write the HTML report to '${path}': ${(error as Error).message}. Choose a writable path.`)
  }
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description("compare a current CSV with a reference CSV (or a profile) column by column (Evidently's data-drift tests)")
    .requiredOption('--reference <file>', 'reference CSV with a header row, or a profile JSON from `plinth profile`')
    .requiredOption('--current <file>', 'current CSV with the same columns')
    .option('--method <name>', `force one test for every column: ${STAT_TEST_NAMES.join(', ')}`)
    .option('--json', 'machine-readable output')
    .option('--html <file>', 'also write a self-contained HTML report with a chart per feature')
    .action(
      action(async (flags: DriftFlags) => {
        const method = flags.method
        if (method !== undefined && !isStatTestName(method)) {
          throw invalidParameter(`Unknown drift method '${method}'; use one of ${STAT_TEST_NAMES.join(', ')}.`)
        }
        const options = method === undefined ? {} : { method }
        const referenceBytes = fileSize(flags.reference, 'reference')
        let report
        // Computation time without file reading, as the reference script reports it.
        let seconds: number | undefined
        let charts = new Map<string, FeatureChart>()
        if (isProfileFile(flags.reference)) {
          if (flags.html) throw invalidParameter('--html needs a CSV reference; a profile keeps no per-bin chart data yet.')
          const reference = readProfileFile(flags.reference, 'reference')
          const current = profileFrame(readTable(flags.current, 'current'), { k: reference.k })
          report = driftFromProfiles(reference, current, options)
        } else {
          // Workers start loading now, on another core, while this thread parses the files.
          const threads = referenceBytes + fileSize(flags.current, 'current') >= PARALLEL_MIN_BYTES ? new DriftThreads() : 1
          try {
            const reference = readTable(flags.reference, 'reference')
            const current = readTable(flags.current, 'current')
            const started = performance.now()
            // Numeric columns are spread over the machine's cores (same report as one thread).
            report = await detectDriftInParallel(reference, current, options, threads)
            seconds = (performance.now() - started) / 1000
            if (flags.html) charts = new Map([...reference].map(([name, ref]) => [name, featureChart(name, ref, current.get(name)!)]))
          } finally {
            if (threads instanceof DriftThreads) await threads.close()
          }
        }
        if (flags.html) {
          writeHtml(flags.html, renderDriftHtml({ report, charts, referenceName: basename(flags.reference), currentName: basename(flags.current) }))
        }
        if (flags.json) return printObject(seconds === undefined ? report : { ...report, seconds }, true)
        printRows(
          report.columns.map((c) => ({ ...c, score: c.score.toPrecision(6), dropped: c.dropped_reference + c.dropped_current })),
          ['column', 'type', 'test', 'score', 'threshold', 'drift', 'dropped'],
          false,
        )
        for (const note of report.notes ?? []) process.stdout.write(`note: ${note}\n`)
        const verdict = report.dataset_drift ? 'dataset drift detected' : 'no dataset drift'
        process.stdout.write(`${report.drifted} of ${report.columns.length} columns drifted (share ${report.share.toFixed(3)}): ${verdict}\n`)
        if (flags.html) process.stdout.write(`HTML report written to ${flags.html}\n`)
      }),
    )
}
