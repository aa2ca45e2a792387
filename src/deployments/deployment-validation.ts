import { AppError } from '../shared/errors.js'
import type { DeploymentSpec, ModelTarget, ShadowRoute, WeightedRoute } from './deployment-entities.js'

const NAME = /^[a-zA-Z0-9][\w.-]{0,127}$/
const HEADER = /^[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,100}$/
const MAX_ROUTES = 10

function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

export function checkDeploymentName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(`Invalid deployment name '${String(name)}': use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit.`)
  }
  return name
}

function checkTarget(target: Partial<ModelTarget>, where: string): ModelTarget {
  if (typeof target.model !== 'string' || target.model === '') throw invalid(`${where} needs a 'model' (a registered model name).`)
  const hasVersion = target.version !== undefined && target.version !== ''
  const hasAlias = target.alias !== undefined && target.alias !== ''
  if (hasVersion === hasAlias) {
    throw invalid(`${where} needs exactly one of 'version' (e.g. "3") or 'alias' (e.g. "champion") for model '${target.model}'.`)
  }
  return hasVersion ? { model: target.model, version: String(target.version) } : { model: target.model, alias: String(target.alias) }
}

/** Checks a routing spec's shape; whether its models exist is checked by the service. */
export function checkDeploymentSpec(spec: Partial<DeploymentSpec> | undefined): DeploymentSpec {
  const routes = spec?.routes
  if (!Array.isArray(routes) || routes.length === 0) throw invalid("A deployment needs at least one route in 'routes'.")
  if (routes.length > MAX_ROUTES) throw invalid(`A deployment takes at most ${MAX_ROUTES} routes; got ${routes.length}.`)
  const checked: WeightedRoute[] = routes.map((route, i) => {
    const target = checkTarget(route, `routes[${i}]`)
    const weight = (route as Partial<WeightedRoute>).weight
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw invalid(`routes[${i}].weight must be a number from 0 to 100 (a percentage); got ${JSON.stringify(weight)}.`)
    }
    return { ...target, weight }
  })
  const total = checked.reduce((sum, r) => sum + r.weight, 0)
  if (Math.abs(total - 100) > 1e-6) {
    throw invalid(`Route weights must add up to 100; they add up to ${Number(total.toFixed(4))}. Example: 90 and 10 for a canary.`)
  }
  const result: DeploymentSpec = { routes: checked }
  if (spec?.shadow) {
    const target = checkTarget(spec.shadow, 'shadow')
    const share = (spec.shadow as Partial<ShadowRoute>).share
    if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
      throw invalid(`shadow.share must be a fraction above 0 and at most 1 (0.1 mirrors 10% of requests); got ${JSON.stringify(share)}.`)
    }
    result.shadow = { ...target, share }
  }
  if (spec?.stickyHeader !== undefined && spec.stickyHeader !== '') {
    if (typeof spec.stickyHeader !== 'string' || !HEADER.test(spec.stickyHeader)) {
      throw invalid(`sticky_header must be an HTTP header name such as 'x-user-id'; got ${JSON.stringify(spec.stickyHeader)}.`)
    }
    result.stickyHeader = spec.stickyHeader.toLowerCase()
  }
  return result
}
