import type { IncomingHttpHeaders } from 'node:http'
import type { DeploymentSpec } from '../deployments/deployment-entities.js'
import { chooseRoute } from '../deployments/traffic-router.js'
import type { InferenceMetrics, Protocol, RouteMetrics } from './inference-metrics.js'
import type { ServedVersion, ServingPlan, ShadowTarget } from './serving-plan.js'

/** Requests in flight for one version, shared by every plan that routes to it. */
export interface VersionLoad {
  pending: number
}

/** One route of a plan with what the hot path needs already looked up. */
export class PreparedRoute {
  readonly served: ServedVersion
  readonly load: VersionLoad
  readonly #deployment: string
  readonly #metrics: InferenceMetrics
  readonly #byProtocol: Partial<Record<Protocol, RouteMetrics>> = {}

  constructor(served: ServedVersion, load: VersionLoad, deployment: string, metrics: InferenceMetrics) {
    this.served = served
    this.load = load
    this.#deployment = deployment
    this.#metrics = metrics
  }

  metrics(protocol: Protocol): RouteMetrics {
    return (this.#byProtocol[protocol] ??= this.#metrics.route(this.served, this.#deployment, protocol))
  }
}

export interface RouteChoice {
  route: PreparedRoute
  shadow?: ShadowTarget
}

/** A plan ready for the hot path: routes with their counters, the sticky header, the primary route. */
export class PreparedPlan {
  readonly plan: ServingPlan
  /** The deployment's name, or '' for a model: the `deployment` label. */
  readonly deployment: string
  readonly routes: PreparedRoute[]
  /** The route with the most weight: what metadata describes. */
  readonly primary: PreparedRoute
  readonly #spec: DeploymentSpec | undefined
  readonly #single: RouteChoice | undefined

  constructor(plan: ServingPlan, loadOf: (served: ServedVersion) => VersionLoad, metrics: InferenceMetrics) {
    this.plan = plan
    this.deployment = plan.resolution === 'deployment' ? plan.name : ''
    this.routes = plan.routes.map((served) => new PreparedRoute(served, loadOf(served), this.deployment, metrics))
    const weights = plan.spec?.routes.map((r) => r.weight) ?? [1]
    this.primary = this.routes[weights.indexOf(Math.max(...weights))] ?? this.routes[0]!
    this.#spec = plan.spec
    this.#single = plan.spec === undefined || (plan.routes.length === 1 && !plan.shadow) ? { route: this.routes[0]! } : undefined
  }

  /** The route for one request (by weight, or by the sticky header's value) and whether to mirror it. */
  choose(headers: IncomingHttpHeaders | undefined): RouteChoice {
    if (this.#single !== undefined) return this.#single
    const spec = this.#spec!
    const header = spec.stickyHeader === undefined ? undefined : headers?.[spec.stickyHeader]
    const stickyKey = Array.isArray(header) ? header[0] : header
    const decision = chooseRoute(spec, stickyKey)
    const route = this.routes[spec.routes.indexOf(decision.route)] ?? this.primary
    return decision.shadow && this.plan.shadow ? { route, shadow: this.plan.shadow } : { route }
  }
}
