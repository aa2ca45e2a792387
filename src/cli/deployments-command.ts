import type { Command } from 'commander'
import type { Services } from '../app/services.js'
import { describeTarget, type Deployment, type DeploymentChanges, type DeploymentRevision, type DeploymentSpec, type TargetUse } from '../deployments/index.js'
import { AppError } from '../shared/errors.js'
import { action, collect, localUser, withServices, withStore } from './cli-context.js'
import { describeRoutes, describeShadow, describeSpec, formatShare, parseRevision, parseRoutes, parseShadow } from './deployment-args.js'
import { printObject, printRows } from './output.js'

type Flags = { backendStoreUri?: string; json?: boolean }
type RoutingFlags = Flags & { route?: string[]; shadow?: string | false; stickyHeader?: string | false }

const ROUTE_HELP = 'MODEL@ALIAS[=WEIGHT] or MODEL/VERSION[=WEIGHT], weight in percent; repeat for more (unweighted routes split the rest)'
const SHADOW_HELP = 'MODEL@ALIAS:SHARE or MODEL/VERSION:SHARE: mirror a share (0.1 or 10%) of requests, responses discarded'

function deploymentRow(d: Deployment) {
  return { name: d.name, revision: d.revision, routes: describeRoutes(d.spec), shadow: describeShadow(d.spec), sticky: d.spec.stickyHeader, updated: d.updatedAt, by: d.updatedBy }
}

function revisionRow(r: DeploymentRevision) {
  return { revision: r.revision, when: r.createdAt, by: r.createdBy, reason: r.reason, routes: describeRoutes(r.spec), shadow: describeShadow(r.spec), sticky: r.spec.stickyHeader }
}

function targetRow(u: TargetUse) {
  const target = describeTarget({ model: u.model, alias: u.alias, version: u.alias === undefined ? String(u.version) : undefined })
  const traffic = u.role === 'route' ? `${u.weight}%` : `${formatShare(u.share ?? 0)} mirrored`
  return { role: u.role, target, version: u.resolved ? u.version : 'gone', traffic, run_id: u.runId }
}

function printDeployment(verb: string, d: Deployment, json: boolean | undefined): void {
  if (json) printObject(d, true)
  else process.stdout.write(`${verb} ${d.name} (revision ${d.revision}): ${describeSpec(d.spec)}\n`)
}

function specFromFlags(flags: RoutingFlags): Partial<DeploymentSpec> {
  const spec: Partial<DeploymentSpec> = { routes: parseRoutes(flags.route ?? []) }
  if (flags.shadow) spec.shadow = parseShadow(flags.shadow)
  if (flags.stickyHeader) spec.stickyHeader = flags.stickyHeader
  return spec
}

/** `update` changes only what its flags name; `--no-shadow` and `--no-sticky-header` remove. */
function changesFromFlags(flags: RoutingFlags): DeploymentChanges {
  const changes: DeploymentChanges = {}
  if (flags.route?.length) changes.routes = parseRoutes(flags.route)
  if (flags.shadow !== undefined) changes.shadow = flags.shadow === false ? null : parseShadow(flags.shadow)
  if (flags.stickyHeader !== undefined) changes.stickyHeader = flags.stickyHeader === false ? null : flags.stickyHeader
  if (Object.keys(changes).length === 0) {
    throw new AppError('INVALID_PARAMETER_VALUE', 'Nothing to change: give --route, --shadow or --no-shadow, --sticky-header or --no-sticky-header.')
  }
  return changes
}

async function show(services: Services, name: string, json: boolean | undefined): Promise<void> {
  const { deployment, targets } = await services.deploymentLineage.targetsOf(name)
  if (json) return printObject({ ...deployment, targets }, true)
  const { spec, ...rest } = deployment
  printObject({ ...rest, stickyHeader: spec.stickyHeader }, false)
  process.stdout.write('\n')
  printRows(targets.map(targetRow), ['role', 'target', 'version', 'traffic', 'run_id'], false)
}

export function registerDeploymentsCommand(program: Command): void {
  const deployments = program.command('deployments').description('route traffic to model versions: canary, shadow, A/B; promote and roll back')

  withStore(deployments.command('create'))
    .description('create a deployment (a named endpoint) with its routing')
    .argument('<name>', 'deployment name, served at /v2/models/<name>')
    .requiredOption('--route <target>', ROUTE_HELP, collect)
    .option('--shadow <target>', SHADOW_HELP)
    .option('--sticky-header <header>', 'pin each caller to one route by this request header (A/B tests)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: RoutingFlags) => {
        const spec = specFromFlags(flags)
        await withServices(flags, async (services) => printDeployment('Created', await services.deployments.create(name, spec, localUser()), flags.json))
      }),
    )

  withStore(deployments.command('update'))
    .description('change the routing; what no flag names is kept')
    .argument('<name>', 'deployment name')
    .option('--route <target>', `${ROUTE_HELP}; replaces all routes`, collect)
    .option('--shadow <target>', SHADOW_HELP)
    .option('--no-shadow', 'stop mirroring')
    .option('--sticky-header <header>', 'pin each caller to one route by this request header')
    .option('--no-sticky-header', 'route at random again')
    .option('--expected-revision <n>', 'refuse if the deployment changed since this revision')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: RoutingFlags & { expectedRevision?: string }) => {
        const changes = changesFromFlags(flags)
        const expected = parseRevision(flags.expectedRevision, '--expected-revision')
        await withServices(flags, async (services) => printDeployment('Updated', await services.deployments.patch(name, changes, localUser(), expected), flags.json))
      }),
    )

  withStore(deployments.command('list'))
    .description('list deployments by name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags) => {
        await withServices(flags, async (services) => {
          const list = await services.deployments.list()
          if (flags.json) printObject(list, true)
          else printRows(list.map(deploymentRow), ['name', 'revision', 'routes', 'shadow', 'sticky', 'updated', 'by'], false)
        })
      }),
    )

  withStore(deployments.command('show'))
    .description('show a deployment with the version each route reaches now (aliases resolved)')
    .argument('<name>', 'deployment name')
    .option('--json', 'machine-readable output')
    .action(action(async (name: string, flags: Flags) => withServices(flags, (services) => show(services, name, flags.json))))

  withStore(deployments.command('history'))
    .description('every revision of a deployment’s routing, newest first')
    .argument('<name>', 'deployment name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: Flags) => {
        await withServices(flags, async (services) => {
          const history = await services.deployments.history(name)
          if (flags.json) printObject(history, true)
          else printRows(history.map(revisionRow), ['revision', 'when', 'by', 'reason', 'routes', 'shadow', 'sticky'], false)
        })
      }),
    )

  withStore(deployments.command('rollback'))
    .description('restore the previous routing (or that of --to REVISION) as a new revision')
    .argument('<name>', 'deployment name')
    .option('--to <revision>', 'the revision whose routing to restore')
    .option('--expected-revision <n>', 'refuse if the deployment changed since this revision')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: Flags & { to?: string; expectedRevision?: string }) => {
        const options = { toRevision: parseRevision(flags.to, '--to'), expectedRevision: parseRevision(flags.expectedRevision, '--expected-revision') }
        await withServices(flags, async (services) => {
          const d = await services.deployments.rollback(name, localUser(), options)
          printDeployment(`Restored the routing of revision ${options.toRevision ?? d.revision - 2} to`, d, flags.json)
        })
      }),
    )

  withStore(deployments.command('delete'))
    .description('delete a deployment and its history')
    .argument('<name>', 'deployment name')
    .action(
      action(async (name: string, flags: Flags) => {
        await withServices(flags, async (services) => {
          await services.deployments.delete(name)
          process.stdout.write(`Deleted deployment ${name} and its history\n`)
        })
      }),
    )
}
