import { parseModelUri, type ModelReference } from '../registry/model-uri.js'
import { AppError, invalidParameter, notFound } from '../shared/errors.js'
import type { ResolvedSide, RunRecord, VersionRecord } from './ci-report-entities.js'

/**
 * Where runs and model versions are read from: the local store, or a Plinth server over its
 * MLflow REST API. Both report failures as AppErrors with the registry's own codes.
 */
export interface CiRunSource {
  /** @throws AppError RESOURCE_DOES_NOT_EXIST for an unknown run. */
  getRun(runId: string): Promise<RunRecord>
  /**
   * @throws AppError RESOURCE_DOES_NOT_EXIST for an unknown model or version,
   *   INVALID_PARAMETER_VALUE for an alias that is not set.
   */
  getVersion(ref: ModelReference): Promise<VersionRecord>
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,255}$/
const LIST_RUNS = 'List runs with: plinth runs list --experiment-id ID'

function runIdOf(spec: string): string | undefined {
  if (spec.startsWith('runs:/')) return spec.slice('runs:/'.length).split('/')[0]
  return RUN_ID.test(spec) ? spec : undefined
}

function refLabel(ref: ModelReference): string {
  if ('alias' in ref) return `alias '${ref.alias}'`
  if ('version' in ref) return `version ${ref.version}`
  return 'stage' in ref ? `stage ${ref.stage}` : 'latest version'
}

/** The registry's messages name the model; this adds which flag it came from and what to run next. */
function modelError(error: unknown, spec: string, ref: ModelReference): never {
  const code = (error as AppError).code
  const hint = `See its versions and aliases with: plinth models versions ${ref.name}; list models with: plinth models list`
  if ('alias' in ref && code === 'INVALID_PARAMETER_VALUE') {
    throw notFound(`${spec}: model '${ref.name}' has no alias '${ref.alias}'. ${hint}; set it with: plinth models alias set ${ref.name} ${ref.alias} VERSION`)
  }
  if (code === 'RESOURCE_DOES_NOT_EXIST') throw notFound(`${spec}: ${(error as Error).message} (looking up ${refLabel(ref)}). ${hint}`)
  throw error
}

async function readRun(source: CiRunSource, runId: string, spec: string): Promise<RunRecord> {
  try {
    return await source.getRun(runId)
  } catch (error) {
    if ((error as AppError).code !== 'RESOURCE_DOES_NOT_EXIST') throw error
    throw notFound(`${spec}: run '${runId}' not found. ${LIST_RUNS}`)
  }
}

async function resolveModel(source: CiRunSource, spec: string): Promise<ResolvedSide> {
  const ref = parseModelUri(spec)
  const version = await source.getVersion(ref).catch((error: unknown) => modelError(error, spec, ref))
  if (!version.runId) {
    throw new AppError('INVALID_STATE', `${spec} (version ${version.version}) was registered without a run, so it has no metrics to compare. Compare a run instead (runs:/ID), or register versions from runs.`)
  }
  const model = { name: version.name, version: version.version, ...('alias' in ref ? { alias: ref.alias } : {}) }
  return { spec, model, run: await readRun(source, version.runId, spec) }
}

/**
 * Reads one side of a comparison: `models:/NAME/VERSION`, `models:/NAME@ALIAS` (also a stage or
 * `latest`) through the version's source run, or `runs:/ID` and a bare run id directly.
 * @throws AppError naming the side and what to run to find valid values.
 */
export async function resolveSide(source: CiRunSource, spec: string): Promise<ResolvedSide> {
  const given = spec.trim()
  if (given.startsWith('models:/')) return resolveModel(source, given)
  const runId = runIdOf(given)
  if (!runId) {
    throw invalidParameter(`'${spec}' is not a run or model: write runs:/RUN_ID, a run id, models:/NAME/VERSION or models:/NAME@ALIAS.`)
  }
  return { spec: given, run: await readRun(source, runId, given) }
}
