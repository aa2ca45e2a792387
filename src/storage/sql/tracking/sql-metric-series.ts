import { randomInt } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../schema.js'

type Db = Kysely<Database> | Transaction<Database>
const CACHE_LIMIT = 100_000
const MAX_SAFE_ID = 2 ** 48

/**
 * Maps (run, metric key) to the series id its points are stored under. Ids are random integers
 * made here (no database sequence, so replicas never coordinate); a (run, key) pair claimed by two
 * writers at once ends with one row, because the insert ignores conflicts and the ids are read
 * back. Known ids are cached: a series is never re-keyed, so a cached id never goes stale.
 */
export class MetricSeriesIds {
  readonly #cache = new Map<string, number>()

  /** Ids of series that exist, from cache or database; undefined for unknown ones. */
  async find(db: Db, runId: string, key: string): Promise<number | undefined> {
    const cached = this.#cache.get(cacheKey(runId, key))
    if (cached !== undefined) return cached
    const row = await db.selectFrom('metric_series').select('series_id').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst()
    if (row) this.#remember(runId, key, Number(row.series_id))
    return row && Number(row.series_id)
  }

  /** Ids for every key if all are cached, else undefined; never reads the database. */
  cached(runId: string, keys: Iterable<string>): Map<string, number> | undefined {
    const ids = new Map<string, number>()
    for (const key of keys) {
      if (ids.has(key)) continue
      const id = this.#cache.get(cacheKey(runId, key))
      if (id === undefined) return undefined
      ids.set(key, id)
    }
    return ids
  }

  /**
   * Ids for every key, creating missing series inside the caller's transaction. New ids are
   * returned in `created` and must be passed to `remember` only after the transaction commits,
   * or a rolled-back series would stay cached.
   */
  async resolve(db: Db, runId: string, keys: string[]): Promise<{ ids: Map<string, number>; created: Map<string, number> }> {
    const ids = new Map<string, number>()
    const missing: string[] = []
    for (const key of keys) {
      const cached = this.#cache.get(cacheKey(runId, key))
      if (cached === undefined) missing.push(key)
      else ids.set(key, cached)
    }
    const created = new Map<string, number>()
    for (let attempt = 0; missing.length > 0 && attempt < 3; attempt++) {
      const found = await this.#read(db, runId, missing)
      const absent = missing.filter((k) => !found.has(k))
      if (absent.length > 0) {
        await db
          .insertInto('metric_series')
          .values(absent.map((key) => ({ series_id: randomInt(1, MAX_SAFE_ID), run_uuid: runId, key })))
          .onConflict((oc) => oc.doNothing())
          .execute()
        for (const [key, id] of await this.#read(db, runId, absent)) {
          found.set(key, id)
          created.set(key, id)
        }
      }
      for (const [key, id] of found) {
        ids.set(key, id)
        if (!created.has(key)) this.#remember(runId, key, id)
      }
      missing.splice(0, missing.length, ...missing.filter((k) => !ids.has(k)))
    }
    if (missing.length > 0) throw new Error(`could not allocate metric series for ${missing.join(', ')}`)
    return { ids, created }
  }

  remember(runId: string, created: Map<string, number>): void {
    for (const [key, id] of created) this.#remember(runId, key, id)
  }

  async #read(db: Db, runId: string, keys: string[]): Promise<Map<string, number>> {
    const rows = await db.selectFrom('metric_series').select(['key', 'series_id']).where('run_uuid', '=', runId).where('key', 'in', keys).execute()
    return new Map(rows.map((r) => [r.key, Number(r.series_id)]))
  }

  #remember(runId: string, key: string, id: number): void {
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!)
    this.#cache.set(cacheKey(runId, key), id)
  }
}

function cacheKey(runId: string, key: string): string {
  return `${runId}\u0000${key}`
}
