import { PLINTH, request } from './api-client.js'
import type { Deployment, DeploymentRevision } from './wire-types.js'

export async function listDeployments(signal?: AbortSignal): Promise<Deployment[]> {
  return (await request<{ deployments: Deployment[] }>(`${PLINTH}/deployments`, { signal })).deployments
}

export async function getDeployment(name: string, signal?: AbortSignal): Promise<Deployment> {
  return (await request<{ deployment: Deployment }>(`${PLINTH}/deployments/${encodeURIComponent(name)}`, { signal })).deployment
}

export async function deploymentHistory(name: string, signal?: AbortSignal): Promise<DeploymentRevision[]> {
  return (await request<{ history: DeploymentRevision[] }>(`${PLINTH}/deployments/${encodeURIComponent(name)}/history`, { signal })).history
}

/** Rolls back to `toRevision`, or to the revision before the current one; refused if the deployment moved meanwhile. */
export async function rollback(name: string, expectedRevision: number, toRevision?: number): Promise<Deployment> {
  const body = { expected_revision: expectedRevision, to_revision: toRevision }
  return (await request<{ deployment: Deployment }>(`${PLINTH}/deployments/${encodeURIComponent(name)}/rollback`, { method: 'POST', body })).deployment
}

export function targetLabel(t: { model: string; version?: string; alias?: string }): string {
  return t.alias ? `${t.model}@${t.alias}` : `${t.model} v${t.version ?? '?'}`
}

/** What a person calls the routing: a single target, a canary split, and a shadow if any. */
export function rolloutState(d: Deployment): { kind: 'single' | 'canary' | 'split'; text: string } {
  const live = d.routes.filter((r) => r.weight > 0)
  const total = live.reduce((sum, r) => sum + r.weight, 0) || 1
  if (live.length <= 1) return { kind: 'single', text: live[0] ? `all traffic to ${targetLabel(live[0])}` : 'no route takes traffic' }
  const smallest = [...live].sort((a, b) => a.weight - b.weight)[0]!
  const share = smallest.weight / total
  if (live.length === 2 && share <= 0.25) return { kind: 'canary', text: `canary: ${Math.round(share * 100)}% to ${targetLabel(smallest)}` }
  return { kind: 'split', text: live.map((r) => `${Math.round((r.weight / total) * 100)}% ${targetLabel(r)}`).join(', ') }
}
