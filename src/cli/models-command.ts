import type { Command } from 'commander'
import type { AliasChange, ModelVersion, RegisteredModel, RegistryService } from '../registry/index.js'
import { isAppError } from '../shared/errors.js'
import { action, collect, localUser, parseTags, withServices, withStore } from './cli-context.js'
import { printObject, printRows } from './output.js'

type Flags = { backendStoreUri?: string; json?: boolean }

/** Registering copies model bytes into the artifact store, so it opens the store too. */
const WITH_ARTIFACTS = { withoutArtifacts: false, migrateEmpty: false }

function versionRow(v: ModelVersion) {
  return { version: v.version, stage: v.currentStage, aliases: v.aliases.join(',') || undefined, created: v.creationTimestamp, run_id: v.runId, sha256: v.pinned.sha256.slice(0, 12), source: v.source }
}

function modelRow(m: RegisteredModel) {
  const latest = Math.max(0, ...m.latestVersions.map((v) => v.version))
  return { name: m.name, latest: latest || undefined, aliases: m.aliases.map((a) => `${a.alias}→${a.version}`).join(',') || undefined, updated: m.lastUpdatedTimestamp, description: m.description }
}

function historyRow(c: AliasChange) {
  return { when: c.timestamp, alias: c.alias, from: c.fromVersion, to: c.toVersion, by: c.userId }
}

function printVersion(v: ModelVersion): void {
  const { pinned, ...rest } = v
  printObject({ ...rest, sha256: pinned.sha256, size_bytes: pinned.sizeBytes, storage_uri: pinned.storageUri, ir_version: pinned.signature.irVersion, producer: pinned.signature.producerName }, false)
  process.stdout.write('\nsignature:\n')
  const tensors = [...pinned.signature.inputs.map((t) => ({ ...t, io: 'input' })), ...pinned.signature.outputs.map((t) => ({ ...t, io: 'output' }))]
  const shape = (t: (typeof tensors)[number]) => (t.shape ? `[${t.shape.map((d, i) => t.dimParams?.[i] ?? d).join(', ')}]` : '(unknown rank)')
  printRows(tensors.map((t) => ({ io: t.io, name: t.name, datatype: t.datatype, shape: shape(t) })), ['io', 'name', 'datatype', 'shape'], false)
}

/** `register` creates the registered model first when it does not exist, as MLflow's register_model does. */
async function register(registry: RegistryService, flags: { name: string; source: string; runId?: string; description?: string; tag?: string[] }): Promise<ModelVersion> {
  await registry.createRegisteredModel({ name: flags.name }).catch((error: unknown) => {
    if (!isAppError(error) || error.code !== 'RESOURCE_ALREADY_EXISTS') throw error
  })
  const input = { name: flags.name, source: flags.source, runId: flags.runId, description: flags.description, tags: parseTags(flags.tag), userId: localUser() }
  // The CLI runs with the operator's own rights, so it may read model files on this machine.
  return registry.createModelVersion(input, { allowLocalFiles: true })
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('register models and manage their versions and aliases')

  withStore(models.command('register'))
    .description('register an ONNX model as the next version of a model (created if needed)')
    .requiredOption('--name <name>', 'registered model name')
    .requiredOption('--source <uri>', 'runs:/<run_id>/<path>, models:/<name>/<version>, mlflow-artifacts:/…, or a file or folder path')
    .option('--run-id <id>', 'the run that produced the model (for lineage)')
    .option('--description <text>', 'version description')
    .option('--tag <key=value>', 'a version tag; repeat for more', collect)
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags & { name: string; source: string; runId?: string; description?: string; tag?: string[] }) => {
        await withServices(flags, async ({ registry }) => {
          const v = await register(registry, flags)
          if (flags.json) printObject(v, true)
          else process.stdout.write(`Registered ${v.name} version ${v.version} (sha256 ${v.pinned.sha256}). Point an alias at it with: plinth models alias set ${v.name} <alias> ${v.version}\n`)
        }, WITH_ARTIFACTS)
      }),
    )

  withStore(models.command('list'))
    .description('list registered models by name')
    .option('--filter <filter>', "MLflow search filter, e.g. \"name LIKE 'churn%'\"")
    .option('--json', 'machine-readable output')
    .action(
      action(async (flags: Flags & { filter?: string }) => {
        await withServices(flags, async ({ registry }) => {
          const page = await registry.searchRegisteredModels({ filter: flags.filter, maxResults: 1000 })
          if (flags.json) printObject(page.items, true)
          else printRows(page.items.map(modelRow), ['name', 'latest', 'aliases', 'updated', 'description'], false)
        })
      }),
    )

  withStore(models.command('versions'))
    .description('list the versions of a model, newest first')
    .argument('<name>', 'registered model name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, flags: Flags) => {
        await withServices(flags, async ({ registry }) => {
          await registry.getRegisteredModel(name)
          const quoted = name.replaceAll('\\', '\\\\').replaceAll("'", "''")
          const page = await registry.searchModelVersions({ filter: `name = '${quoted}'`, orderBy: ['version_number DESC'] })
          if (flags.json) printObject(page.items, true)
          else printRows(page.items.map(versionRow), ['version', 'stage', 'aliases', 'created', 'run_id', 'sha256', 'source'], false)
        })
      }),
    )

  withStore(models.command('show'))
    .description('show a model, or one version with its signature')
    .argument('<name>', 'registered model name')
    .argument('[version]', 'version number')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, version: string | undefined, flags: Flags) => {
        await withServices(flags, async ({ registry }) => {
          if (version !== undefined) {
            const v = await registry.getModelVersion(name, version)
            if (flags.json) printObject(v, true)
            else printVersion(v)
            return
          }
          const model = await registry.getRegisteredModel(name)
          if (flags.json) return printObject(model, true)
          const { latestVersions, ...rest } = model
          printObject(rest, false)
          process.stdout.write('\nlatest versions:\n')
          printRows(latestVersions.map(versionRow), ['version', 'stage', 'aliases', 'created', 'run_id', 'sha256', 'source'], false)
        })
      }),
    )

  const alias = models.command('alias').description('point aliases (champion, challenger…) at versions, with an audit trail')

  withStore(alias.command('set'))
    .description('point an alias at a version (moving it if it exists)')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias name')
    .argument('<version>', 'version number')
    .action(
      action(async (name: string, aliasName: string, version: string, flags: Flags) => {
        await withServices(flags, async ({ registry }) => {
          await registry.setAlias(name, aliasName, version, localUser())
          process.stdout.write(`${name}@${aliasName} → version ${version}\n`)
        })
      }),
    )

  withStore(alias.command('delete'))
    .description('remove an alias')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias name')
    .action(
      action(async (name: string, aliasName: string, flags: Flags) => {
        await withServices(flags, async ({ registry }) => {
          await registry.deleteAlias(name, aliasName, localUser())
          process.stdout.write(`Removed ${name}@${aliasName}\n`)
        })
      }),
    )

  withStore(alias.command('history'))
    .description('every set, move and delete of a model’s aliases, oldest first')
    .argument('<name>', 'registered model name')
    .argument('[alias]', 'only this alias')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, aliasName: string | undefined, flags: Flags) => {
        await withServices(flags, async ({ registry }) => {
          const history = await registry.aliasHistory(name, aliasName)
          if (flags.json) printObject(history, true)
          else printRows(history.map(historyRow), ['when', 'alias', 'from', 'to', 'by'], false)
        })
      }),
    )
}
