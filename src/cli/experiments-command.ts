import type { Command } from 'commander'
import type { Experiment, ViewType } from '../tracking/index.js'
import { AppError } from '../shared/errors.js'
import { action, collect, parseTags, withServices, withStore } from './cli-context.js'
import { printObject, printRows } from './output.js'

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' }

export function viewOf(view: string | undefined): ViewType {
  const chosen = VIEWS[view ?? 'active']
  if (!chosen) throw new AppError('INVALID_PARAMETER_VALUE', `Invalid --view '${view}': use active, deleted or all.`)
  return chosen
}

function row(e: Experiment) {
  return { id: e.experimentId, name: e.name, stage: e.lifecycleStage, created: e.creationTime, artifact_location: e.artifactLocation }
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('list, create and delete experiments')

  withStore(experiments.command('list'))
    .description('list experiments, newest first')
    .option('--view <view>', 'active, deleted or all', 'active')
    .option('--filter <filter>', "MLflow search filter, e.g. \"name LIKE 'churn%'\"")
    .option('--max-results <n>', 'page size', '1000')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: { backendStoreUri?: string; view?: string; filter?: string; maxResults: string; json?: boolean }) => {
        await withServices(flags, async ({ tracking }) => {
          const page = await tracking.searchExperiments({ viewType: viewOf(flags.view), filter: flags.filter, maxResults: Number(flags.maxResults) })
          if (flags.json) printObject(page.items, true)
          else printRows(page.items.map(row), ['id', 'name', 'stage', 'created', 'artifact_location'], false)
        })
      }),
    )

  withStore(experiments.command('create'))
    .description('create an experiment')
    .argument('<name>', 'experiment name')
    .option('--artifact-location <uri>', 'where its runs keep artifacts (default: the server’s artifact store)')
    .option('--tag <key=value>', 'a tag; repeat for more', collect)
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: { backendStoreUri?: string; artifactLocation?: string; tag?: string[]; json?: boolean }) => {
        await withServices(flags, async ({ tracking }) => {
          const id = await tracking.createExperiment({ name, artifactLocation: flags.artifactLocation, tags: parseTags(flags.tag) })
          if (flags.json) printObject({ experiment_id: id }, true)
          else process.stdout.write(`Created experiment '${name}' with id ${id}\n`)
        })
      }),
    )

  withStore(experiments.command('delete'))
    .description('delete an experiment and its runs (restorable with `experiments restore`)')
    .argument('<id>', 'experiment id')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: { backendStoreUri?: string; json?: boolean }) => {
        await withServices(flags, async ({ tracking }) => {
          await tracking.deleteExperiment(id)
          if (flags.json) printObject({ experiment_id: id, lifecycle_stage: 'deleted' }, true)
          else process.stdout.write(`Deleted experiment ${id}. Undo with: plinth experiments restore ${id}\n`)
        })
      }),
    )

  withStore(experiments.command('restore'))
    .description('restore a deleted experiment and its runs')
    .argument('<id>', 'experiment id')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string, flags: { backendStoreUri?: string; json?: boolean }) => {
        await withServices(flags, async ({ tracking }) => {
          await tracking.restoreExperiment(id)
          if (flags.json) printObject({ experiment_id: id, lifecycle_stage: 'active' }, true)
          else process.stdout.write(`Restored experiment ${id}\n`)
        })
      }),
    )
}
