import type { TriggerSpec } from '../pipeline-spec.js'
import type { ListedObject, LoggedDataset } from './trigger-ports.js'

type DataTrigger = Extract<TriggerSpec, { kind: 'data' }>

/** What `${{ trigger.… }}` can read from new data; a field an event lacks maps to ''. */
export const DATA_FIELDS = ['source', 'uri', 'key', 'name', 'digest', 'size', 'runId', 'experimentId', 'datasetId'] as const

export interface DataEvent {
  /** What the trigger remembers as seen. */
  readonly item: string
  readonly eventId: string
  readonly payload: Readonly<Record<string, string | number>>
}

/** Why a data trigger cannot run, or undefined. */
export function dataProblem(spec: DataTrigger): string | undefined {
  if ((spec.dataset === undefined) === (spec.prefix === undefined)) return 'give exactly one of dataset (a dataset name logged to runs) or prefix (an artifact URI such as s3://bucket/data/)'
  if (spec.dataset !== undefined && spec.dataset.trim() === '') return 'dataset: must name a dataset'
  if (spec.prefix !== undefined && spec.prefix.trim() === '') return 'prefix: must be an artifact URI or folder'
  return undefined
}

/** The same data (by content digest) starts one run, whichever run or experiment logged it. */
export function datasetEvent(d: LoggedDataset): DataEvent {
  return {
    item: d.datasetId,
    eventId: `dataset:${d.digest}`,
    payload: { source: 'dataset', uri: d.source, key: d.datasetId, name: d.name, digest: d.digest, runId: d.runId, experimentId: d.experimentId, datasetId: d.datasetId },
  }
}

/** Size (and the store's version, when it reports one) is in the id: a replaced object is new data. */
export function objectEvent(o: ListedObject): DataEvent {
  const signature = o.version === undefined ? `${o.key}:${o.size}` : `${o.key}:${o.size}:${o.version}`
  return {
    item: signature,
    eventId: `object:${signature}`,
    payload: { source: 'object', uri: o.uri, key: o.key, name: o.key.split('/').at(-1) ?? o.key, digest: o.version ?? '', size: o.size },
  }
}
