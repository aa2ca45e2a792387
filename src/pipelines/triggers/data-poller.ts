import type { TriggerSpec } from '../pipeline-spec.js'
import { datasetEvent, objectEvent, type DataEvent } from './data-trigger.js'
import { fire, type ArmedTrigger, type TriggerContext, type TriggerPoller } from './trigger-context.js'
import type { DatasetFeed, ObjectLister } from './trigger-ports.js'

/** The cursor value of a data trigger once it has recorded what already existed. */
const BASELINE = 'baseline'

/**
 * New data by listing and remembering: datasets of a name logged to runs, or objects under an
 * artifact prefix. The first poll records what is already there without launching (enabling a
 * trigger does not retrain on every old file); later polls launch once per item not seen,
 * marking it seen only after the launcher took it, so a crash re-sends rather than loses it.
 */
export class DataPoller implements TriggerPoller {
  readonly armed: ArmedTrigger
  readonly #ctx: TriggerContext
  readonly #list: () => Promise<DataEvent[]>

  constructor(ctx: TriggerContext, armed: ArmedTrigger, sources: { tracking?: DatasetFeed; artifacts?: ObjectLister }) {
    if (armed.spec.kind !== 'data') throw new TypeError('DataPoller needs a data trigger')
    this.armed = armed
    this.#ctx = ctx
    this.#list = listerFor(armed.spec, sources)
  }

  async poll(): Promise<void> {
    const events = await this.#list()
    const { store, clock } = this.#ctx
    const key = this.armed.key
    if ((await store.getCursor(key)) === undefined) {
      await store.markSeen(key, events.map((e) => e.item), clock.now())
      await store.compareAndSetCursor(key, undefined, BASELINE, clock.now())
      return
    }
    const seen = await store.seenAmong(key, events.map((e) => e.item))
    for (const event of events) {
      if (seen.has(event.item)) continue
      await fire(this.#ctx, this.armed, event.eventId, event.payload)
      await store.markSeen(key, [event.item], clock.now())
    }
  }
}

function listerFor(spec: Extract<TriggerSpec, { kind: 'data' }>, sources: { tracking?: DatasetFeed; artifacts?: ObjectLister }): () => Promise<DataEvent[]> {
  const { dataset, prefix } = spec
  if (dataset !== undefined) {
    const tracking = sources.tracking
    if (tracking === undefined) throw new Error('a dataset trigger needs the tracking store')
    return async () => (await tracking.datasetsNamed(dataset)).map(datasetEvent)
  }
  const artifacts = sources.artifacts
  if (prefix === undefined || artifacts === undefined) throw new Error('a prefix trigger needs an artifact lister')
  return async () => (await artifacts.list(prefix)).map(objectEvent)
}
