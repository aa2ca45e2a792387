import { createHash } from 'node:crypto'
import type { ArtifactStore } from '../artifacts/index.js'
import { artifactExists } from './executors/step-artifacts.js'
import type { StepSpec } from './pipeline-spec.js'
import type { PipelineStore, StepAttempt } from './pipeline-store.js'

/** Bumped when what goes into a key changes, so old entries stop matching instead of lying. */
export const CACHE_FORMAT_VERSION = 1

/** Everything a step's result depends on, fully resolved. */
export interface CacheKeyParts {
  /** `{shell}`, `{argv}`, `{image, argv}` or `{uses, with}` after expressions are resolved. */
  readonly action: unknown
  /** Values of the params the step refers to. */
  readonly params: Readonly<Record<string, string>>
  /** Non-secret environment, names and values (secrets are left out: values must never be hashed into a shared key). */
  readonly env: Readonly<Record<string, string>>
  /** Input name -> sha256 of its content. */
  readonly inputs: Readonly<Record<string, string>>
  /** Declared code file -> sha256 of its content. */
  readonly code: Readonly<Record<string, string>>
  readonly outputs: { readonly artifacts: readonly string[]; readonly params: readonly string[] }
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(canonicalJson({ v: CACHE_FORMAT_VERSION, ...parts })).digest('hex')
}

/** JSON with object keys sorted at every level, so equal values always hash equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/** Side-effecting steps (deploy, register, notify) and `cache: false` never come from cache. */
export function isCacheable(step: StepSpec): boolean {
  return step.cache && !step.sideEffects
}

/** A succeeded attempt under the key whose every output artifact is still in the store. */
export async function findCacheHit(store: PipelineStore, artifacts: ArtifactStore, pipeline: string, key: string): Promise<StepAttempt | undefined> {
  const hit = await store.findCache(pipeline, key)
  if (!hit) return undefined
  for (const uri of Object.values(hit.outputArtifacts)) if (!(await artifactExists(artifacts, uri))) return undefined
  return hit
}
