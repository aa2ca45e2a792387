/**
 * What the trigger manager reads, as narrow ports so each can be a real in-memory or SQL
 * implementation in tests and the real services at run time.
 */
import type { AlertEvent } from '../../monitoring/monitors/monitor-entities.js'
import type { TriggerSpec } from '../pipeline-spec.js'

/** A pipeline's current triggers. The pipeline service implements this. */
export interface TriggeredPipeline {
  readonly pipeline: string
  readonly version: number
  readonly triggers: readonly TriggerSpec[]
}

export interface TriggerSource {
  list(): Promise<TriggeredPipeline[]>
  /** Called after a pipeline is created, changed or deleted; returns a function that unsubscribes. */
  onChange?(listener: () => void): () => void
}

/** Monitor alert events: MonitorService satisfies this as it is. */
export interface AlertFeed {
  /** In-process events as they commit; a wake-up, the durable read is `eventsAfter`. */
  readonly events?: { subscribe(listener: (event: AlertEvent) => void): () => void }
  /** Committed events after `after` (seq), oldest first. */
  eventsAfter(after: number, limit?: number): Promise<AlertEvent[]>
}

/** A dataset (experiment, name, digest) logged as an input of at least one run. */
export interface LoggedDataset {
  readonly datasetId: string
  readonly name: string
  readonly digest: string
  readonly source: string
  readonly sourceType: string
  readonly experimentId: string
  /** One run that logged it. */
  readonly runId: string
}

/** Tracking's dataset inputs, by dataset name. */
export interface DatasetFeed {
  datasetsNamed(name: string): Promise<LoggedDataset[]>
}

/** One object under a watched prefix. */
export interface ListedObject {
  /** Path relative to the prefix, '/'-separated. */
  readonly key: string
  /** The object's full URI (prefix + key). */
  readonly uri: string
  readonly size: number
  /** A modification time or ETag when the store reports one; changes when the object is replaced. */
  readonly version?: string
}

/** Lists every object under an artifact prefix (`s3://bucket/data/`, `file:///srv/data`, a folder). */
export interface ObjectLister {
  list(prefixUri: string): Promise<ListedObject[]>
}
