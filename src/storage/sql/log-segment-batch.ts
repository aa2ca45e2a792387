import { PredictionPacker, unpackPredictions, type PackedPredictions } from '../../monitoring/packed-predictions.js'
import type { PredictionLog } from '../../monitoring/prediction-log-store.js'
import { encodeSegment } from './log-segment-codec.js'

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
  minTime: number
  maxTime: number
  /** Prediction ids in record order. */
  ids: string[]
  body: Uint8Array
}

function segmentOf(batch: PackedPredictions): NewSegment {
  const { words, numbers } = batch
  const deployment = numbers[2]!
  return { model: words[numbers[0]!]!, version: words[numbers[1]!]!, deployment: deployment < 0 ? null : words[deployment]!, minTime: batch.minTime, maxTime: batch.maxTime, ids: batch.ids, body: encodeSegment(batch) }
}

/** Packs records into one packer per (model, version, deployment, span). */
class SegmentGroups {
  readonly #byKey = new Map<string, PredictionPacker>()

  for(model: string, version: string, deployment: string | undefined, time: number): PredictionPacker {
    const key = `${model}\u0000${version}\u0000${deployment ?? ''}\u0000${spanStart(time)}`
    let packer = this.#byKey.get(key)
    if (packer === undefined) {
      packer = new PredictionPacker()
      this.#byKey.set(key, packer)
    }
    return packer
  }

  get segments(): NewSegment[] {
    return [...this.#byKey.values()].map((p) => segmentOf(p.take()))
  }
}

/** Logs given as columns (the ingest API, the rows of the old layout), kept as their JSON. */
export function segmentsOfLogs(logs: readonly PredictionLog[]): NewSegment[] {
  const groups = new SegmentGroups()
  for (const log of logs) groups.for(log.model, log.version, log.deployment, log.time).addColumns(log, log.rows, JSON.stringify([log.inputs, log.outputs]))
  return groups.segments
}

/**
 * Served predictions as the serving thread packed them. A batch of one model, version and
 * deployment within one minute, the usual case, is stored as it is; any other is split by
 * unpacking and packing each part again.
 */
export function segmentsOfPacked(batch: PackedPredictions): NewSegment[] {
  if (batch.count === 0) return []
  if (!batch.mixed && spanStart(batch.minTime) === spanStart(batch.maxTime)) return [segmentOf(batch)]
  const groups = new SegmentGroups()
  for (const p of unpackPredictions(batch)) groups.for(p.model, p.version, p.deployment, p.time).add(p)
  return groups.segments
}
