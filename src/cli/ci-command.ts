import type { Command } from 'commander'
import { writeFile } from 'node:fs/promises'
import { dirname, relative, resolve, sep } from 'node:path'
import { renderBarChart } from '../ci/bar-chart-renderer.js'
import { buildCiReport, type CiReportRequest } from '../ci/ci-report-builder.js'
import type { CiReport } from '../ci/ci-report-entities.js'
import { EmbeddedRunSource } from '../ci/embedded-run-source.js'
import { HttpRunSource } from '../ci/http-run-source.js'
import { renderMarkdown } from '../ci/markdown-report.js'
import { invalidParameter } from '../shared/errors.js'
import { action, withServices, withStore } from './cli-context.js'

/** A gate that failed is not an error: 1 keeps it apart from the error codes (2 and up). */
export const WORSE_EXIT_CODE = 1

export interface CiReportFlags {
  challenger: string
  champion: string
  metrics?: string
  higherIsBetter?: string
  lowerIsBetter?: string
  format?: string
  json?: boolean
  out?: string
  chart?: string
  failIfWorse?: boolean
  trackingUri?: string
  backendStoreUri?: string
}

export interface CiReportResult {
  report: CiReport
  /** The Markdown or JSON, as printed or written to --out. */
  text: string
  exitCode: number
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((v) => v.trim()).filter(Boolean)
  return items && items.length > 0 ? items : undefined
}

function formatOf(flags: CiReportFlags): 'markdown' | 'json' {
  if (flags.json) return 'json'
  const format = (flags.format ?? 'markdown').toLowerCase()
  if (format === 'markdown' || format === 'md') return 'markdown'
  if (format === 'json') return 'json'
  throw invalidParameter(`Unknown --format '${flags.format}': use markdown or json.`)
}

/** An explicit flag wins; otherwise a tracking server in the environment means server mode. */
export function serverUriOf(flags: CiReportFlags, env: Record<string, string | undefined>): string | undefined {
  if (flags.trackingUri) return flags.trackingUri
  if (flags.backendStoreUri) return undefined
  return env.PLINTH_TRACKING_URI?.trim() || env.MLFLOW_TRACKING_URI?.trim() || undefined
}

/** The chart as the report should link it: relative to the report's folder, with forward slashes. */
function chartLink(chart: string, out: string | undefined): string {
  const from = out ? dirname(resolve(out)) : process.cwd()
  return relative(from, resolve(chart)).split(sep).join('/')
}

function render(report: CiReport, flags: CiReportFlags, serverUrl: string | undefined): string {
  if (formatOf(flags) === 'json') return `${JSON.stringify({ ...report, ...(flags.chart ? { chart: flags.chart } : {}) }, null, 2)}\n`
  const chartPath = flags.chart ? chartLink(flags.chart, flags.out) : undefined
  return renderMarkdown(report, { ...(serverUrl ? { serverUrl } : {}), ...(chartPath ? { chartPath } : {}) })
}

/**
 * Builds the report, writes --chart and --out, and says what the exit code should be. Works on
 * the local store, or on a server when --tracking-uri (or PLINTH_TRACKING_URI) is set.
 */
export async function runCiReport(flags: CiReportFlags, env: Record<string, string | undefined> = process.env): Promise<CiReportResult> {
  formatOf(flags)
  const request: CiReportRequest = {
    challenger: flags.challenger,
    champion: flags.champion,
    metrics: list(flags.metrics),
    directions: { higher: list(flags.higherIsBetter), lower: list(flags.lowerIsBetter) },
  }
  const serverUri = serverUriOf(flags, env)
  let serverUrl: string | undefined
  let report: CiReport
  if (serverUri) {
    const source = new HttpRunSource({ trackingUri: serverUri, env })
    serverUrl = source.trackingUri
    report = await buildCiReport(source, request)
  } else {
    report = await withServices(flags, (services) => buildCiReport(new EmbeddedRunSource(services), request))
  }
  if (flags.chart) await writeFile(flags.chart, renderBarChart(report.metrics).png)
  const text = render(report, flags, serverUrl)
  if (flags.out) await writeFile(flags.out, text)
  return { report, text, exitCode: flags.failIfWorse && report.worse.length > 0 ? WORSE_EXIT_CODE : 0 }
}

export function registerCiCommand(program: Command): void {
  const ci = program.command('ci').description('reports and gates for CI/CD pipelines')
  withStore(ci.command('report'))
    .description('compare a challenger run or model version with the champion: a Markdown table for a PR comment, JSON, a PNG chart')
    .requiredOption('--challenger <ref>', 'runs:/ID, a run id, models:/NAME/VERSION or models:/NAME@ALIAS')
    .requiredOption('--champion <ref>', 'the same forms, usually models:/NAME@champion')
    .option('--metrics <names>', 'comma-separated metrics to compare (default: every metric both sides logged)')
    .option('--higher-is-better <names>', 'comma-separated metrics where higher is better (the default for names without loss/error/rmse/mae/mape/latency)')
    .option('--lower-is-better <names>', 'comma-separated metrics where lower is better')
    .option('--format <format>', 'markdown or json', 'markdown')
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write the report to this file instead of standard output')
    .option('--chart <file>', 'write a PNG bar chart here and reference it from the Markdown')
    .option('--fail-if-worse', `exit with code ${WORSE_EXIT_CODE} when any compared metric got worse`)
    .option('--tracking-uri <url>', 'read from this Plinth server (env PLINTH_TRACKING_URI or MLFLOW_TRACKING_URI; token from PLINTH_TOKEN)')
    .action(
      action(async (flags: CiReportFlags) => {
        const result = await runCiReport(flags)
        if (flags.out) process.stderr.write(`wrote ${flags.out}${flags.chart ? ` and ${flags.chart}` : ''}\n`)
        else process.stdout.write(result.text)
        if (result.exitCode !== 0) {
          process.stderr.write(`error: the challenger is worse than the champion on: ${result.report.worse.join(', ')}\n`)
          process.exitCode = result.exitCode
        }
      }),
    )
}
