import type { Command } from 'commander'
import type { Run } from '../tracking/index.js'
import { action, collect, withServices, withStore } from './cli-context.js'
import { viewOf } from './experiments-command.js'
import { printObject, printRows } from './output.js'

function row(run: Run) {
  const metrics = run.data.metrics.slice(0, 4).map((m) => `${m.key}=${Number(m.value.toPrecision(6))}`).join(' ')
  return { run_id: run.info.runId, name: run.info.runName, status: run.info.status, started: run.info.startTime, metrics }
}

interface SearchFlags {
  backendStoreUri?: string
  experimentId: string[]
  filter?: string
  orderBy?: string[]
  maxResults: string
  view?: string
  json?: boolean
}

async function search(flags: SearchFlags): Promise<void> {
  await withServices(flags, async ({ tracking }) => {
    const page = await tracking.searchRuns({
      experimentIds: flags.experimentId,
      filter: flags.filter,
      orderBy: flags.orderBy,
      maxResults: Number(flags.maxResults),
      viewType: viewOf(flags.view),
    })
    if (flags.json) printObject(page.items, true)
    else printRows(page.items.map(row), ['run_id', 'name', 'status', 'started', 'metrics'], false)
  })
}

function searchOptions(command: Command): Command {
  return withStore(command)
    .requiredOption('--experiment-id <id>', 'experiment to search; repeat for several', collect)
    .option('--max-results <n>', 'page size', '100')
    .option('--view <view>', 'active, deleted or all', 'active')
    .option('--json', 'machine-readable output')
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('list, show and search runs')

  searchOptions(runs.command('list'))
    .description('list runs of experiments, newest first')
    .action(action((flags: SearchFlags) => search(flags)))

  searchOptions(runs.command('search'))
    .description("search runs with MLflow's filter grammar")
    .option('--filter <filter>', "e.g. \"metrics.rmse < 0.8 and params.model = 'lr'\"")
    .option('--order-by <clause>', "e.g. 'metrics.rmse ASC'; repeat for more", collect)
    .action(action((flags: SearchFlags) => search(flags)))

  withStore(runs.command('get'))
    .description('show one run with its params, latest metrics and tags')
    .argument('<run-id>', 'run id')
    .option('--json', 'machine-readable output')
    .action(
      action(async (runId: string, flags: { backendStoreUri?: string; json?: boolean }) => {
        await withServices(flags, async ({ tracking }) => printObject(await tracking.getRun(runId), Boolean(flags.json)))
      }),
    )
}
