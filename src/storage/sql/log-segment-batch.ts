import type { Datatype } from '../../serving/tensor-types.js'
import type { PackedPredictions } from '../../monitoring/packed-predictions.js'
import type { PredictionLog } from '../../monitoring/prediction-log-store.js'
import { SegmentEncoder } from './log-segment-codec.js'

/**
 * A segment never spans more than this: readers find every record at or after time t in the
 * segments that start at or after t's minute, so a window's read needs only the time index.
 * A minute is also whole within a UTC day, the partition of PostgreSQL.
 */
export const SEGMENT_SPAN_MS = 60_000

export const spanStart = (time: number) => Math.floor(time / SEGMENT_SPAN_MS) * SEGMENT_SPAN_MS

/** One segment to store: the records of one model, version and deployment in one span. */
export interface NewSegment {
  model: string
  version: string
  deployment: string | null
  encoder: SegmentEncoder
}

/** Hands out one encoder per (model, version, deployment, span), remembering the last one used. */
class SegmentGroups {
  readonly #byKey = new Map<string, NewSegment>()
  #last: { model: string; version: string; deployment: string; span: number; segment: NewSegment } | undefined

  for(model: string, version: string, deployment: string, time: number): SegmentEncoder {
    const span = spanStart(time)
    const last = this.#last
    if (last && last.span === span && last.model === model && last.version === version && last.deployment === deployment) return last.segment.encoder
    const key = `${model}\u0000${version}\u0000${deployment}\u0000${span}`
    let segment = this.#byKey.get(key)
    if (segment === undefined) {
      segment = { model, version, deployment: deployment === '' ? null : deployment, encoder: new SegmentEncoder() }
      this.#byKey.set(key, segment)
    }
    this.#last = { model, version, deployment, span, segment }
    return segment.encoder
  }

  get segments(): NewSegment[] {
    return [...this.#byKey.values()]
  }
}

/** Logs given as columns (the ingest API), grouped into segments. */
export function segmentsOfLogs(logs: readonly PredictionLog[]): NewSegment[] {
  const groups = new SegmentGroups()
  for (const log of logs) groups.for(log.model, log.version, log.deployment ?? '', log.time).addColumns(log)
  return groups.segments
}

/**
 * Served predictions straight from their packed form (see PredictionPacker, whose layout this
 * walks), tensors copied as bytes: no objects per record, no columns, no JSON.
 */
export function segmentsOfPacked({ meta, bytes }: Omit<PackedPredictions, 'count'>): NewSegment[] {
  const groups = new SegmentGroups()
  const source = new Uint8Array(bytes)
  let i = 0
  while (i < meta.length) {
    const id = meta[i] as string
    const time = meta[i + 4] as number
    const encoder = groups.for(meta[i + 1] as string, meta[i + 2] as string, meta[i + 3] as string, time)
    const tensors = (meta[i + 7] as number) + (meta[i + 8] as number)
    encoder.beginServed(id, time, meta[i + 5] as number, meta[i + 6] as string, meta[i + 7] as number, meta[i + 8] as number)
    i += 9
    for (let k = 0; k < tensors; k++) i = copyTensor(meta, i, source, encoder)
  }
  return groups.segments
}

function copyTensor(meta: ReadonlyArray<string | number>, i: number, source: Uint8Array, encoder: SegmentEncoder): number {
  const name = meta[i] as string
  const datatype = meta[i + 1] as Datatype
  const rank = meta[i + 2] as number
  const shape = meta.slice(i + 3, i + 3 + rank) as number[]
  i += 3 + rank
  if (datatype === 'BYTES') {
    const n = meta[i] as number
    encoder.bytesTensor(name, shape, meta.slice(i + 1, i + 1 + n) as string[])
    return i + 1 + n
  }
  encoder.tensor(name, datatype, shape, source, meta[i] as number, meta[i + 1] as number)
  return i + 2
}
