import type { WeightedRoute } from '../../deployments/deployment-entities.js'
import { isAppError } from '../../shared/errors.js'
import type { BuiltinContext, BuiltinResult, BuiltinStep } from '../builtin-step.js'
import { ArgReader, type ArgMode } from './builtin-args.js'

const NAMES = { required: ['model', 'version'], optional: ['alias', 'deployment'] }

interface PromoteArgs {
  readonly model: string
  readonly version: number
  readonly alias: string
  readonly deployment?: string
}

function readArgs(args: Readonly<Record<string, unknown>>, mode: ArgMode): { reader: ArgReader; value: PromoteArgs } {
  const reader = new ArgReader('promote', args, NAMES, mode)
  const deployment = reader.string('deployment')
  const value: PromoteArgs = {
    model: reader.string('model') ?? '',
    version: reader.number('version', { min: 1, integer: true }) ?? 0,
    alias: reader.string('alias') ?? 'champion',
    ...(deployment ? { deployment } : {}),
  }
  return { reader, value }
}

async function aliasVersion(context: BuiltinContext, model: string, alias: string): Promise<number | undefined> {
  try {
    return (await context.services.registry.getModelVersionByAlias(model, alias)).version
  } catch (error) {
    if (isAppError(error) && error.code === 'INVALID_PARAMETER_VALUE') return undefined
    throw error
  }
}

/** Routes the whole deployment to the alias; creates it if missing, leaves it alone if already so. */
async function routeToAlias(context: BuiltinContext, name: string, model: string, alias: string): Promise<{ revision: number; changed: boolean }> {
  const routes: WeightedRoute[] = [{ model, alias, weight: 100 }]
  const by = `pipeline:${context.pipeline}`
  const current = await context.services.deployments.get(name).catch((error: unknown) => {
    if (isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST') return undefined
    throw error
  })
  if (!current) return { revision: (await context.services.deployments.create(name, { routes }, by)).revision, changed: true }
  const only = current.spec.routes.length === 1 ? current.spec.routes[0]! : undefined
  if (only && only.model === model && only.alias === alias && only.version === undefined) return { revision: current.revision, changed: false }
  return { revision: (await context.services.deployments.patch(name, { routes }, by, current.revision)).revision, changed: true }
}

/** `uses: promote`: moves an alias (the registry keeps every move in its alias history). */
export function createPromoteStep(): BuiltinStep {
  return {
    name: 'promote',
    validate: (args) => readArgs(args, 'validate').reader.problems,
    async run(args, context): Promise<BuiltinResult> {
      const { reader, value } = readArgs(args, 'run')
      reader.finish()
      const previous = await aliasVersion(context, value.model, value.alias)
      if (previous !== value.version) await context.services.registry.setAlias(value.model, value.alias, value.version, `pipeline:${context.pipeline}`)
      const outputs: Record<string, string> = {
        model: value.model,
        version: String(value.version),
        alias: value.alias,
        previous_version: previous === undefined ? '' : String(previous),
        uri: `models:/${value.model}@${value.alias}`,
        changed: String(previous !== value.version),
      }
      context.log(`promote: ${value.model}@${value.alias} ${previous === value.version ? 'already at' : `moved from ${previous ?? 'nothing'} to`} version ${value.version}`)
      if (value.deployment) {
        const routed = await routeToAlias(context, value.deployment, value.model, value.alias)
        outputs.deployment_revision = String(routed.revision)
        context.log(`promote: deployment ${value.deployment} ${routed.changed ? 'routed' : 'already routes'} 100% to ${value.model}@${value.alias} (revision ${routed.revision})`)
      }
      return { outputs, metrics: {} }
    },
  }
}
