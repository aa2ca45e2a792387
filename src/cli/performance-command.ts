import type { Command } from 'commander'
import type { PerformanceQuery, PerformanceReport } from '../monitoring/performance/performance-service.js'
import type { PerformanceTask } from '../monitoring/performance/output-layout.js'
import type { WindowPerformance } from '../monitoring/performance/window-metrics.js'
import { parseTime, parseWindow } from '../monitoring/performance/windows.js'
import { invalidParameter } from '../shared/errors.js'
import { action, withServices, withStore } from './cli-context.js'
import { printObject } from './output.js'
import { sparkline, textTable } from './sparkline.js'

export interface PerformanceFlags {
  deployment?: string
  model?: string
  version?: string
  window?: string
  start?: string
  end?: string
  task?: string
  predictionColumn?: string
  probabilityColumns?: string
  positiveClass?: string
  classes?: string
  json?: boolean
  backendStoreUri?: string
}

/** Columns of the table per task: realized metrics, then CBPE's estimates (`est_`). */
const CLASSIFICATION = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const
const ESTIMATED = ['accuracy', 'f1', 'roc_auc'] as const
const REGRESSION = ['mae', 'rmse', 'mape', 'r2'] as const

export function queryFromFlags(flags: PerformanceFlags): PerformanceQuery {
  if (!flags.deployment && !flags.model) throw invalidParameter('Give --deployment D or --model M (with --version V to pick one version).')
  if (flags.task !== undefined && flags.task !== 'classification' && flags.task !== 'regression') {
    throw invalidParameter(`Unknown --task '${flags.task}': use classification or regression.`)
  }
  const split = (s: string | undefined) => s?.split(',').map((v) => v.trim()).filter(Boolean)
  const entries: Array<[keyof PerformanceQuery, unknown]> = [
    ['deployment', flags.deployment],
    ['model', flags.model],
    ['version', flags.version],
    ['startTime', parseTime(flags.start, '--start')],
    ['endTime', parseTime(flags.end, '--end')],
    ['task', flags.task as PerformanceTask | undefined],
    ['predictionColumn', flags.predictionColumn],
    ['probabilityColumns', split(flags.probabilityColumns)],
    ['positiveClass', flags.positiveClass],
    ['classes', split(flags.classes)],
  ]
  return { windowMs: parseWindow(flags.window), ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)) }
}

function format(value: number | undefined): string | undefined {
  return value === undefined ? undefined : value.toFixed(4)
}

function metricNames(report: PerformanceReport): { realized: readonly string[]; estimated: readonly string[] } {
  if (report.layout?.task === 'regression') return { realized: REGRESSION, estimated: [] }
  const anyEstimate = report.windows.some((w) => Object.keys(w.estimated).length > 0)
  return { realized: CLASSIFICATION, estimated: anyEstimate ? ESTIMATED : [] }
}

function realized(w: WindowPerformance, name: string): number | undefined {
  const v = (w.metrics as Record<string, unknown>)[name]
  return typeof v === 'number' ? v : undefined
}

function estimated(w: WindowPerformance, name: string): number | undefined {
  const v = (w.estimated as Record<string, unknown>)[name]
  return typeof v === 'number' ? v : undefined
}

/** The table of windows, then one sparkline per metric over the windows. */
export function renderPerformance(report: PerformanceReport): string {
  const { realized: names, estimated: estimates } = metricNames(report)
  const rows = report.windows.map((w) => ({
    window: new Date(w.startTime).toISOString().replace('T', ' ').slice(0, 16),
    predictions: w.predictions,
    labeled: w.labeled,
    ...Object.fromEntries(names.map((n) => [n, format(realized(w, n))])),
    ...Object.fromEntries(estimates.map((n) => [`est_${n}`, format(estimated(w, n))])),
  }))
  const columns = ['window', 'predictions', 'labeled', ...names, ...estimates.map((n) => `est_${n}`)]
  const series = [
    ...names.map((n) => [n, report.windows.map((w) => realized(w, n))] as const),
    ...estimates.map((n) => [`est_${n}`, report.windows.map((w) => estimated(w, n))] as const),
  ].filter(([, values]) => values.some((v) => v !== undefined))
  const width = Math.max(0, ...series.map(([n]) => n.length))
  const trend = series.map(([n, values]) => {
    const present = values.filter((v): v is number => v !== undefined)
    return `${n.padEnd(width)}  ${sparkline(values)}  ${present[0]!.toFixed(4)} → ${present.at(-1)!.toFixed(4)}`
  })
  const notes = [...(report.calibrated ? ['estimates use isotonic calibration fitted on the labeled windows'] : []), ...report.warnings]
  return [textTable(rows, columns), ...(trend.length ? ['', ...trend] : []), ...notes.map((n) => `note: ${n}`)].join('\n').trimEnd() + '\n'
}


export function registerPerformanceCommand(program: Command): void {
  withStore(program.command('performance'))
    .description('model performance over time: realized metrics from labels, CBPE estimates from probabilities')
    .option('--deployment <name>', 'the deployment to report')
    .option('--model <name>', 'the model to report (all versions unless --version)')
    .option('--version <version>', 'one version of --model')
    .option('--window <length>', 'hour, day (default), milliseconds or 15m/6h/7d', 'day')
    .option('--start <time>', 'first time, ms or ISO 8601 (default: 30 windows back)')
    .option('--end <time>', 'end time, exclusive (default: now)')
    .option('--task <task>', 'classification or regression (default: detected from the outputs)')
    .option('--prediction-column <column>', 'output column with the predicted class or value')
    .option('--probability-columns <columns>', 'comma-separated output columns with class probabilities')
    .option('--positive-class <class>', 'positive class of a binary classifier')
    .option('--classes <classes>', 'comma-separated classes of the probability columns, in order')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: PerformanceFlags) => {
        const query = queryFromFlags(flags)
        await withServices(flags, async (services) => {
          const report = await services.performance.performance(query)
          if (flags.json) return printObject(report, true)
          process.stdout.write(renderPerformance(report))
        })
      }),
    )
}
