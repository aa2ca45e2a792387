import { describeTarget, type DeploymentSpec, type ModelTarget, type ShadowRoute, type WeightedRoute } from '../deployments/index.js'
import { AppError } from '../shared/errors.js'

/**
 * The CLI's syntax for deployment targets, documented in docs/deployments.md:
 *
 *   --route MODEL@ALIAS[=WEIGHT]   --route MODEL/VERSION[=WEIGHT]   (WEIGHT in percent)
 *   --shadow MODEL@ALIAS:SHARE     --shadow MODEL/VERSION:SHARE     (SHARE 0.1 or 10%)
 *
 * Model names may contain any character, so each part is split off from the right; alias and
 * version never contain `@`, `/`, `=` or `:`.
 */

function invalid(message: string): AppError {
  return new AppError('INVALID_PARAMETER_VALUE', message)
}

function parseTarget(text: string, flag: string, whole: string): ModelTarget {
  const at = text.lastIndexOf('@')
  const slash = text.lastIndexOf('/')
  if (at > 0 && at > slash && at < text.length - 1) return { model: text.slice(0, at), alias: text.slice(at + 1) }
  if (slash > 0 && slash > at) {
    const version = text.slice(slash + 1)
    if (!/^[1-9]\d*$/.test(version)) throw invalid(`${flag} '${whole}': version '${version}' is not a version number; write MODEL/3 or MODEL@ALIAS.`)
    return { model: text.slice(0, slash), version }
  }
  throw invalid(`${flag} '${whole}' names no version or alias; write MODEL/VERSION (churn/4) or MODEL@ALIAS (churn@champion).`)
}

function parseNumber(text: string, flag: string, whole: string, what: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text)
  if (!Number.isFinite(value)) throw invalid(`${flag} '${whole}': ${what} '${text}' is not a number.`)
  return value
}

/**
 * Routes from repeated `--route` values. Routes given without `=WEIGHT` share what the weighted
 * ones leave of 100 equally, so `--route m/1 --route m/2` is a 50/50 split and a single route
 * takes all traffic. Whether the weights add up to 100 is checked by the service.
 */
export function parseRoutes(values: string[]): WeightedRoute[] {
  const parsed = values.map((value) => {
    const match = /^(.+)=([^=@/]*)$/.exec(value)
    const target = parseTarget(match ? match[1]! : value, '--route', value)
    const weight = match ? parseNumber(match[2]!.replace(/%$/, ''), '--route', value, 'weight') : undefined
    return { target, weight }
  })
  const unweighted = parsed.filter((p) => p.weight === undefined).length
  const rest = 100 - parsed.reduce((sum, p) => sum + (p.weight ?? 0), 0)
  return parsed.map(({ target, weight }) => ({ ...target, weight: weight ?? rest / unweighted }))
}

/** A shadow from `--shadow MODEL/VERSION:SHARE`; the share is a fraction (0.1) or a percentage (10%). */
export function parseShadow(value: string): ShadowRoute {
  const colon = value.lastIndexOf(':')
  if (colon <= 0) throw invalid(`--shadow '${value}' needs a share of requests to mirror; write e.g. churn/5:0.1 or churn@challenger:10%.`)
  const shareText = value.slice(colon + 1)
  const percent = shareText.endsWith('%')
  const share = parseNumber(percent ? shareText.slice(0, -1) : shareText, '--shadow', value, 'share')
  return { ...parseTarget(value.slice(0, colon), '--shadow', value), share: percent ? share / 100 : share }
}

/** Parses `--expected-revision` and `--to`. */
export function parseRevision(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value)) throw invalid(`${flag} must be a revision number (1, 2, …); got '${value}'.`)
  return Number(value)
}

/** 0.1 → `10%`. */
export function formatShare(fraction: number): string {
  return `${Number((fraction * 100).toFixed(4))}%`
}

/** `churn@champion 90%, churn/4 10%`. */
export function describeRoutes(spec: DeploymentSpec): string {
  return spec.routes.map((r) => `${describeTarget(r)} ${Number(r.weight.toFixed(4))}%`).join(', ')
}

export function describeShadow(spec: DeploymentSpec): string | undefined {
  return spec.shadow && `${describeTarget(spec.shadow)} ${formatShare(spec.shadow.share)}`
}

/** One line for people: routes; shadow; sticky header. */
export function describeSpec(spec: DeploymentSpec): string {
  const parts = [describeRoutes(spec)]
  const shadow = describeShadow(spec)
  if (shadow) parts.push(`shadow ${shadow}`)
  if (spec.stickyHeader) parts.push(`sticky on ${spec.stickyHeader}`)
  return parts.join('; ')
}
