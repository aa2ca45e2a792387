import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { proxiedPath } from '../../artifacts/artifact-service.js'
import { REFERENCE_DATA_TAG } from '../../monitoring/monitors/registry-reference-source.js'
import type { ModelVersion } from '../../registry/registry-entities.js'
import { versionUri } from '../../registry/model-uri.js'
import { AppError, isAppError } from '../../shared/errors.js'
import type { BuiltinContext, BuiltinResult, BuiltinStep } from '../builtin-step.js'
import { ArgReader, type ArgMode } from './builtin-args.js'

const NAMES = { required: ['model', 'name'], optional: ['alias', 'tags', 'reference_data', 'source_run', 'description'] }
export const PIPELINE_RUN_TAG = 'plinth.pipeline_run'
export const PIPELINE_STEP_TAG = 'plinth.pipeline_step'
export const PIPELINE_TAG = 'plinth.pipeline'

interface RegisterArgs {
  readonly model: string
  readonly name: string
  readonly alias?: string
  readonly tags: Record<string, string>
  readonly referenceData?: string
  readonly sourceRun?: string
  readonly description?: string
}

function readArgs(args: Readonly<Record<string, unknown>>, mode: ArgMode): { reader: ArgReader; value: RegisterArgs } {
  const reader = new ArgReader('register', args, NAMES, mode)
  const optional = (key: string, as: keyof RegisterArgs) => {
    const v = reader.string(key)
    return v === undefined ? {} : { [as]: v }
  }
  const value = {
    model: reader.string('model') ?? '',
    name: reader.string('name') ?? '',
    tags: reader.record('tags') ?? {},
    ...optional('alias', 'alias'),
    ...optional('reference_data', 'referenceData'),
    ...optional('source_run', 'sourceRun'),
    ...optional('description', 'description'),
  } as RegisterArgs
  return { reader, value }
}

/** Versions this (pipeline run, step) registered before, oldest first. */
async function earlierVersions(context: BuiltinContext, name: string): Promise<ModelVersion[]> {
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`
  const filter = `name = ${quote(name)} and tags.\`${PIPELINE_RUN_TAG}\` = ${quote(context.pipelineRunId)} and tags.\`${PIPELINE_STEP_TAG}\` = ${quote(context.step)}`
  const page = await context.services.registry.searchModelVersions({ filter, orderBy: ['version_number ASC'], maxResults: 100 })
  return page.items
}

/**
 * A reference CSV on local disk is copied into the lineage run's artifacts, because monitors
 * read reference data through the artifact store (the server may not share this disk).
 */
async function referenceUri(context: BuiltinContext, path: string, runId: string): Promise<string> {
  if (/^(runs|mlflow-artifacts):\//.test(path)) return path
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) throw new AppError('RESOURCE_DOES_NOT_EXIST', `register: reference_data '${path}' is not a file; give a CSV path or runs:/<run_id>/<path>.csv.`)
  const relative = `reference/${basename(path)}`
  const root = proxiedPath((await context.services.tracking.getRunInfo(runId)).artifactUri)
  await context.services.artifacts.upload(`${root}/${relative}`, createReadStream(path), info.size)
  return `runs:/${runId}/${relative}`
}

async function ensureModel(context: BuiltinContext, name: string): Promise<void> {
  try {
    await context.services.registry.createRegisteredModel({ name })
  } catch (error) {
    if (!isAppError(error) || error.code !== 'RESOURCE_ALREADY_EXISTS') throw error
  }
}

async function createVersion(context: BuiltinContext, args: RegisterArgs): Promise<ModelVersion> {
  const lineageRun = args.sourceRun ?? context.trackingRunId
  const tags = [
    ...Object.entries(args.tags).map(([key, value]) => ({ key, value })),
    { key: PIPELINE_TAG, value: context.pipeline },
    { key: PIPELINE_RUN_TAG, value: context.pipelineRunId },
    { key: PIPELINE_STEP_TAG, value: context.step },
  ]
  if (args.referenceData) tags.push({ key: REFERENCE_DATA_TAG, value: await referenceUri(context, args.referenceData, lineageRun) })
  return context.services.registry.createModelVersion(
    { name: args.name, source: args.model, runId: lineageRun, tags, userId: `pipeline:${context.pipeline}`, ...(args.description ? { description: args.description } : {}) },
    { allowLocalFiles: true },
  )
}

/**
 * Registers at most one version per (pipeline run, step): a retried or re-delivered attempt finds
 * the version an earlier attempt made by its tags. Two attempts racing both create one; the
 * newer then deletes its own, so both return the older.
 */
async function registerOnce(context: BuiltinContext, args: RegisterArgs): Promise<{ version: ModelVersion; reused: boolean }> {
  const before = await earlierVersions(context, args.name).catch((error: unknown) => {
    if (isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return []
    throw error
  })
  if (before[0]) return { version: before[0], reused: true }
  await ensureModel(context, args.name)
  const created = await createVersion(context, args)
  const winner = (await earlierVersions(context, args.name))[0]
  if (winner && winner.version !== created.version) {
    await context.services.registry.deleteModelVersion(args.name, created.version, `pipeline:${context.pipeline}`)
    return { version: winner, reused: true }
  }
  return { version: created, reused: false }
}

/** `uses: register`: a new registry version with lineage to the pipeline run and the training run. */
export function createRegisterStep(): BuiltinStep {
  return {
    name: 'register',
    validate: (args) => readArgs(args, 'validate').reader.problems,
    async run(args, context): Promise<BuiltinResult> {
      const { reader, value } = readArgs(args, 'run')
      reader.finish()
      const { version, reused } = await registerOnce(context, value)
      if (value.alias) await context.services.registry.setAlias(value.name, value.alias, version.version, `pipeline:${context.pipeline}`)
      context.log(`register: ${reused ? 'found' : 'created'} ${value.name} version ${version.version}${value.alias ? ` (@${value.alias})` : ''}`)
      const outputs: Record<string, string> = { name: value.name, version: String(version.version), uri: versionUri(value.name, version.version), reused: String(reused) }
      if (value.alias) outputs.alias_uri = `models:/${value.name}@${value.alias}`
      return { outputs, metrics: {} }
    },
  }
}
