import type { Command } from 'commander'
import type { Alert, Monitor, MonitorRun } from '../monitoring/monitors/monitor-entities.js'
import { monitorSpecToWire } from '../monitoring/monitors/monitor-spec.js'
import { alertToWire, runToWire } from '../http/monitor-schemas.js'
import { action, withServices, withStore } from './cli-context.js'
import { readMonitorSpecFile } from './monitor-spec-file.js'
import { printObject, printRows } from './output.js'

type Flags = { backendStoreUri?: string; json?: boolean }

function monitorRow(m: Monitor) {
  const wire = monitorSpecToWire(m.spec) as { deployment?: string; model?: string; schedule: unknown; window: string }
  const schedule = typeof wire.schedule === 'string' ? wire.schedule : `every ${(wire.schedule as { every: string }).every}`
  return { id: m.id, name: m.spec.name, target: wire.deployment ?? `model ${wire.model}`, schedule, window: wire.window, conditions: m.spec.conditions.length, enabled: m.spec.enabled, next_run: m.nextRunAt }
}

function alertRow(a: Alert) {
  return { monitor: a.monitorName, condition: a.condition, state: a.state, severity: a.severity, deployment: a.deployment, value: a.lastValue, since: a.since }
}

function printRun(run: MonitorRun, json: boolean | undefined): void {
  if (json) return printObject(runToWire(run), true)
  if (run.outcome === 'failed') {
    process.stdout.write(`Run ${run.id} failed: ${run.error}\n`)
    return
  }
  const r = run.results!
  process.stdout.write(`Run ${run.id}: ${r.requests} requests, ${r.rows} rows, error rate ${r.errorRate.toFixed(4)}, p99 ${r.latencyP99Ms ?? '-'} ms\n`)
  if (r.drift) process.stdout.write(`drift: ${r.drift.drifted} of ${r.drift.features.length} features drifted (share ${r.drift.share.toFixed(3)}), dataset drift ${r.drift.datasetDrift}\n`)
  else if (r.driftNote) process.stdout.write(`drift: not computed (${r.driftNote})\n`)
  printRows(r.conditions.map((c) => ({ condition: c.key, value: c.value, holds: c.holds, note: c.note })), ['condition', 'value', 'holds', 'note'], false)
}

export function registerMonitorsCommand(program: Command): void {
  const monitors = program.command('monitors').description('watch deployments for drift, performance drops, latency, errors and silence; alert on them')

  withStore(monitors.command('create'))
    .description('create a monitor from a YAML spec (see docs/monitoring-alerts.md)')
    .requiredOption('-f, --file <path>', 'monitor spec, YAML or JSON')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags & { file: string }) => {
        const { wire } = await readMonitorSpecFile(flags.file)
        await withServices(flags, async (services) => {
          const m = await services.monitors.create(wire)
          if (flags.json) printObject({ id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt }, true)
          else process.stdout.write(`Created monitor ${m.spec.name} (${m.id}); next run ${new Date(m.nextRunAt).toISOString()}\n`)
        })
      }),
    )

  withStore(monitors.command('update'))
    .description('replace a monitor\'s spec from a YAML file (runs and alert history are kept)')
    .argument('<id>', 'monitor id or name')
    .requiredOption('-f, --file <path>', 'monitor spec, YAML or JSON')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: Flags & { file: string }) => {
        const { wire } = await readMonitorSpecFile(flags.file)
        await withServices(flags, async (services) => {
          const m = await services.monitors.update(id, wire)
          if (flags.json) printObject({ id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt }, true)
          else process.stdout.write(`Updated monitor ${m.spec.name} (${m.id}); next run ${new Date(m.nextRunAt).toISOString()}\n`)
        })
      }),
    )

  withStore(monitors.command('list'))
    .description('list monitors')
    .option('--deployment <name>', 'only monitors of this deployment')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags & { deployment?: string }) => {
        await withServices(flags, async (services) => {
          const list = await services.monitors.list(flags.deployment)
          if (flags.json) printObject(list.map((m) => ({ id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt })), true)
          else printRows(list.map(monitorRow), ['id', 'name', 'target', 'schedule', 'window', 'conditions', 'enabled', 'next_run'], false)
        })
      }),
    )

  withStore(monitors.command('show'))
    .description('show a monitor, its alerts and latest runs')
    .argument('<id>', 'monitor id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: Flags) => {
        await withServices(flags, async (services) => {
          const m = await services.monitors.get(id)
          const alerts = await services.monitors.store.alertsOf(m.id)
          const runs = await services.monitors.store.listRuns(m.id, { limit: 5 })
          if (flags.json) return printObject({ monitor: { id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt }, alerts: alerts.map(alertToWire), runs: runs.map(runToWire) }, true)
          printObject({ id: m.id, ...monitorSpecToWire(m.spec), next_run_at: m.nextRunAt }, false)
          process.stdout.write('\nalerts:\n')
          printRows(alerts.map(alertRow), ['condition', 'state', 'severity', 'value', 'since'], false)
          process.stdout.write('\nlatest runs:\n')
          printRows(runs.map((r) => ({ time: r.time, outcome: r.outcome, requests: r.results?.requests, drift_share: r.results?.drift?.share, error: r.error })), ['time', 'outcome', 'requests', 'drift_share', 'error'], false)
        })
      }),
    )

  withStore(monitors.command('run'))
    .description('run a monitor now (its schedule is unchanged)')
    .argument('<id>', 'monitor id or name')
    .option('--json', 'machine-readable output')
    .action(action(async (id: string, flags: Flags) => withServices(flags, async (services) => printRun(await services.monitors.runNow(id), flags.json), { migrateEmpty: false })))

  withStore(monitors.command('delete'))
    .description('delete a monitor with its runs and alerts (alert history is kept)')
    .argument('<id>', 'monitor id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: Flags) => {
        await withServices(flags, async (services) => {
          await services.monitors.delete(id)
          if (flags.json) printObject({ deleted: id }, true)
          else process.stdout.write(`Deleted monitor ${id}\n`)
        })
      }),
    )

  const alerts = program.command('alerts').description('alerts raised by monitors')
  withStore(alerts.command('list'))
    .description('list alerts, most recently changed first')
    .option('--state <state>', 'firing, resolved or pending')
    .option('--monitor <id>', 'monitor id or name')
    .option('--deployment <name>', 'deployment name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags & { state?: string; monitor?: string; deployment?: string }) => {
        await withServices(flags, async (services) => {
          const list = await services.monitors.alerts({ state: flags.state, monitor: flags.monitor, deployment: flags.deployment })
          if (flags.json) printObject(list.map(alertToWire), true)
          else printRows(list.map(alertRow), ['monitor', 'condition', 'state', 'severity', 'deployment', 'value', 'since'], false)
        })
      }),
    )
}
