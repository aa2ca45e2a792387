import { Type as T, type Static, type TSchema } from '@sinclair/typebox'
import type { Deployment, DeploymentChanges, DeploymentRevision, DeploymentSpec, ModelTarget, TargetUse } from '../deployments/index.js'

/**
 * Wire shapes of `/api/plinth/v1/deployments`: snake_case, versions as strings (as the registry
 * API sends them), timestamps in milliseconds. Request bodies refuse unknown fields, so a typo
 * such as `stickyHeader` is an error rather than silently ignored.
 */
const Str = T.String()
const Opt = <S extends TSchema>(s: S) => T.Optional(s)
const Strict = { additionalProperties: false }

const TargetFields = { model: Str, version: Opt(Str), alias: Opt(Str) }
const RouteIn = T.Object({ ...TargetFields, weight: T.Number() }, Strict)
const ShadowIn = T.Object({ ...TargetFields, share: T.Number() }, Strict)
const Revision = T.Integer({ minimum: 1 })

export const DeploymentSchema = T.Object({
  name: Str,
  revision: T.Integer(),
  routes: T.Array(T.Object({ ...TargetFields, weight: T.Number() })),
  shadow: Opt(T.Object({ ...TargetFields, share: T.Number() })),
  sticky_header: Opt(Str),
  created_at: T.Integer(),
  updated_at: T.Integer(),
  updated_by: Str,
})

export const RevisionSchema = T.Object({
  revision: T.Integer(),
  routes: DeploymentSchema.properties.routes,
  shadow: DeploymentSchema.properties.shadow,
  sticky_header: Opt(Str),
  created_at: T.Integer(),
  created_by: Str,
  reason: Str,
})

export const TargetUseSchema = T.Object({
  deployment: Str,
  revision: T.Integer(),
  role: T.Union([T.Literal('route'), T.Literal('shadow')]),
  model: Str,
  alias: Opt(Str),
  version: Opt(Str),
  resolved: T.Boolean(),
  run_id: Opt(Str),
  weight: Opt(T.Number()),
  share: Opt(T.Number()),
})

const OneDeployment = T.Object({ deployment: DeploymentSchema })
const NameParams = T.Object({ name: Str })

export const DeploymentSchemas = {
  create: {
    body: T.Object({ name: Str, routes: T.Array(RouteIn), shadow: Opt(ShadowIn), sticky_header: Opt(Str) }, Strict),
    response: { 200: OneDeployment },
  },
  list: { response: { 200: T.Object({ deployments: T.Array(DeploymentSchema) }) } },
  get: { params: NameParams, response: { 200: OneDeployment } },
  replace: {
    params: NameParams,
    body: T.Object({ routes: T.Array(RouteIn), shadow: Opt(ShadowIn), sticky_header: Opt(Str), expected_revision: Opt(Revision) }, Strict),
    response: { 200: OneDeployment },
  },
  patch: {
    params: NameParams,
    body: T.Object(
      { routes: Opt(T.Array(RouteIn)), shadow: Opt(T.Union([ShadowIn, T.Null()])), sticky_header: Opt(T.Union([Str, T.Null()])), expected_revision: Opt(Revision) },
      Strict,
    ),
    response: { 200: OneDeployment },
  },
  rollback: {
    params: NameParams,
    body: T.Object({ to_revision: Opt(T.Integer()), expected_revision: Opt(Revision) }, Strict),
    response: { 200: OneDeployment },
  },
  history: { params: NameParams, response: { 200: T.Object({ history: T.Array(RevisionSchema) }) } },
  remove: { params: NameParams, response: { 200: T.Object({}) } },
} as const

type TargetIn = Static<typeof RouteIn> | Static<typeof ShadowIn>

function targetIn<W extends TargetIn>(wire: W): Omit<W, 'version' | 'alias'> & Partial<ModelTarget> {
  return wire
}

export function specFromWire(body: { routes: Array<Static<typeof RouteIn>>; shadow?: Static<typeof ShadowIn>; sticky_header?: string }): Partial<DeploymentSpec> {
  const spec: Partial<DeploymentSpec> = { routes: body.routes.map(targetIn) }
  if (body.shadow) spec.shadow = targetIn(body.shadow)
  if (body.sticky_header !== undefined) spec.stickyHeader = body.sticky_header
  return spec
}

export function changesFromWire(body: Static<typeof DeploymentSchemas.patch.body>): DeploymentChanges {
  const changes: DeploymentChanges = {}
  if (body.routes) changes.routes = body.routes.map(targetIn)
  if (body.shadow !== undefined) changes.shadow = body.shadow === null ? null : targetIn(body.shadow)
  if (body.sticky_header !== undefined) changes.stickyHeader = body.sticky_header
  return changes
}

function specToWire(spec: DeploymentSpec) {
  return { routes: spec.routes, shadow: spec.shadow, sticky_header: spec.stickyHeader }
}

export function deploymentToWire(d: Deployment) {
  return { name: d.name, revision: d.revision, ...specToWire(d.spec), created_at: d.createdAt, updated_at: d.updatedAt, updated_by: d.updatedBy }
}

export function revisionToWire(r: DeploymentRevision) {
  return { revision: r.revision, ...specToWire(r.spec), created_at: r.createdAt, created_by: r.createdBy, reason: r.reason }
}

export function targetUseToWire(u: TargetUse) {
  return {
    deployment: u.deployment,
    revision: u.revision,
    role: u.role,
    model: u.model,
    alias: u.alias,
    version: u.version === undefined ? undefined : String(u.version),
    resolved: u.resolved,
    run_id: u.runId,
    weight: u.weight,
    share: u.share,
  }
}
