import { isAppError } from '../shared/errors.js'
import { planVersions, type ServingPlan } from './serving-plan.js'

export interface PlanCacheOptions<T> {
  /** `version` undefined: what the name serves (deployment, champion, newest); else that version. */
  resolve(name: string, version: string | undefined): Promise<ServingPlan>
  /** Loads the versions a new plan adds, so the swap costs callers nothing. Throws when one cannot load. */
  warm(plan: ServingPlan, previous: ServingPlan): Promise<void>
  /** What the hot path works with (a plan with its metrics attached). */
  prepare(plan: ServingPlan): T
  /** Unknown names remembered at most, so a scan of random names cannot grow the cache. Default 1000. */
  maxUnknown?: number
}

interface Entry<T> {
  name: string
  version: string | undefined
  plan?: ServingPlan
  value?: T
  pending?: Promise<T>
  /** RESOURCE_DOES_NOT_EXIST, remembered until the next change. */
  error?: unknown
}

const isNotFound = (error: unknown) => isAppError(error) && error.code === 'RESOURCE_DOES_NOT_EXIST'

/**
 * Plans by name, resolved once and kept until the catalog changes. On a change (`refresh`) every
 * cached name is resolved again; a plan that now needs other versions is swapped in only after
 * they are loaded, and a version that fails to load leaves the old plan serving (retried on the
 * next refresh). Requests already running keep the versions they started with.
 */
export class PlanCache<T> {
  readonly #options: PlanCacheOptions<T>
  readonly #entries = new Map<string, Entry<T>>()
  #generation = 0
  #unknown = 0

  constructor(options: PlanCacheOptions<T>) {
    this.#options = options
  }

  /** The cached plan (no promise on the hot path), or a resolution in progress. */
  get(name: string, version?: string): T | Promise<T> {
    const key = version === undefined ? name : `${name}\u0000${version}`
    const entry = this.#entries.get(key)
    if (entry !== undefined) {
      if (entry.value !== undefined) return entry.value
      if (entry.pending !== undefined) return entry.pending
      return Promise.reject(entry.error)
    }
    return this.#load(key, name, version)
  }

  /** The plan a name is being served with, if cached. */
  peek(name: string, version?: string): ServingPlan | undefined {
    return this.#entries.get(version === undefined ? name : `${name}\u0000${version}`)?.plan
  }

  /**
   * Re-resolves every cached name after a change. False when some name could not be refreshed
   * (database unreachable, a new version failing to load): its old plan stays, and the caller
   * should refresh again later.
   */
  async refresh(): Promise<boolean> {
    this.#generation++
    const results = await Promise.all([...this.#entries].map(([key, entry]) => this.#refreshEntry(key, entry)))
    return results.every(Boolean)
  }

  #load(key: string, name: string, version: string | undefined): Promise<T> {
    const generation = this.#generation
    const entry: Entry<T> = { name, version }
    const current = () => this.#entries.get(key) === entry
    entry.pending = this.#options.resolve(name, version).then(
      (plan) => {
        const value = this.#options.prepare(plan)
        // Resolved before a change was noticed: answer this caller, but do not keep it.
        if (current() && generation === this.#generation) Object.assign(entry, { plan, value, pending: undefined })
        else if (current()) this.#entries.delete(key)
        return value
      },
      (error: unknown) => {
        if (current()) {
          const remember = isNotFound(error) && generation === this.#generation && this.#unknown < (this.#options.maxUnknown ?? 1000)
          if (remember) {
            this.#unknown++
            Object.assign(entry, { error, pending: undefined })
          } else this.#entries.delete(key)
        }
        throw error
      },
    )
    this.#entries.set(key, entry)
    return entry.pending
  }

  async #refreshEntry(key: string, entry: Entry<T>): Promise<boolean> {
    const drop = () => {
      if (this.#entries.get(key) !== entry) return
      if (entry.error !== undefined) this.#unknown--
      this.#entries.delete(key)
    }
    if (entry.plan === undefined) return drop(), true
    let plan: ServingPlan
    try {
      plan = await this.#options.resolve(entry.name, entry.version)
    } catch (error) {
      if (!isNotFound(error)) return false
      // Gone: the next request answers 404; requests running now finish on their leases.
      return drop(), true
    }
    if (samePlan(plan, entry.plan)) return true
    try {
      await this.#options.warm(plan, entry.plan)
    } catch {
      return false
    }
    if (this.#entries.get(key) === entry) Object.assign(entry, { plan, value: this.#options.prepare(plan) })
    return true
  }
}

function samePlan(a: ServingPlan, b: ServingPlan): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The versions `plan` serves that `previous` did not. */
export function addedVersions(plan: ServingPlan, previous: ServingPlan | undefined) {
  const before = new Set(previous ? planVersions(previous).map((v) => v.key) : [])
  return planVersions(plan).filter((v) => !before.has(v.key))
}
