import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { packPredictions } from '../../monitoring/packed-predictions.js'
import type { ServedPrediction } from '../../monitoring/prediction-logger.js'
import type { PredictionLog } from '../../monitoring/prediction-log-store.js'
import { toLog } from '../../monitoring/prediction-log-writer.js'
import { segmentsOfLogs, segmentsOfPacked, type NewSegment } from './log-segment-batch.js'
import { SegmentReader } from './log-segment-codec.js'

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0)

function served(id: string, time: number, extra: Partial<ServedPrediction> = {}): ServedPrediction {
  return {
    predictionId: id, model: 'lr', version: '1', time, latencyMs: 0.5,
    inputs: [{ name: 'X', datatype: 'FP32', shape: [2, 2], data: new Float32Array([0.5, 1, 2, Number.NaN]) }],
    outputs: [{ name: 'label', datatype: 'INT64', shape: [2], data: new BigInt64Array([1n, 2n ** 62n]) }],
    ...extra,
  }
}

function read(segment: NewSegment): PredictionLog[] {
  // A driver hands bodies back at any offset of its own buffer.
  const copy = Buffer.alloc(segment.body.length + 3)
  copy.set(segment.body, 3)
  const reader = new SegmentReader(copy.subarray(3), { model: segment.model, version: segment.version, deployment: segment.deployment, ids: segment.ids })
  return Array.from({ length: reader.count }, (_, p) => reader.log(p))
}

describe('segmentsOfPacked', () => {
  it('should store a batch of one model and minute as one segment that reads back as the logs', () => {
    const batch = [
      served('a', T0, { deployment: 'api' }),
      served('b', T0 + 1, { deployment: 'api', outputs: [], error: 'MODEL_FAILED' }),
      served('c', T0 + 2, {
        deployment: 'api',
        inputs: [
          { name: 'b', datatype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
          { name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'é'] },
          { name: 'h', datatype: 'FP16', shape: [1, 1], data: new Uint16Array([0x3c00]) },
        ],
      }),
    ]
    const segments = segmentsOfPacked(packPredictions(batch))
    assert.equal(segments.length, 1)
    assert.deepEqual([segments[0]!.model, segments[0]!.version, segments[0]!.deployment, segments[0]!.minTime, segments[0]!.maxTime], ['lr', '1', 'api', T0, T0 + 2])
    assert.deepEqual(read(segments[0]!), batch.map(toLog))
  })

  it('should split a batch by model, version, deployment and minute', () => {
    const batch = [served('a', T0), served('b', T0 + 1, { version: '2' }), served('c', T0 + 60_000), served('d', T0 + 2, { deployment: 'api' }), served('e', T0 + 3)]
    const segments = segmentsOfPacked(packPredictions(batch))
    const shape = segments.map((s) => [s.version, s.deployment, s.ids, s.minTime])
    assert.deepEqual(shape, [['1', null, ['a', 'e'], T0], ['2', null, ['b'], T0 + 1], ['1', null, ['c'], T0 + 60_000], ['1', 'api', ['d'], T0 + 2]])
    assert.deepEqual(segments.flatMap(read).map((l) => l.predictionId), ['a', 'e', 'b', 'c', 'd'])
    assert.deepEqual(read(segments[0]!), [toLog(batch[0]!), toLog(batch[4]!)])
  })
})

describe('a segment of records alike', () => {
  it('should store one layout and the times, latencies and errors, and read every record back', () => {
    const batch = Array.from({ length: 50 }, (_, i) => served(`u-${i}`, T0 + i, { latencyMs: i / 8, ...(i % 7 === 3 ? { error: 'OVERLOADED' } : {}) }))
    const packed = packPredictions(batch)
    const [segment] = segmentsOfPacked(packed)
    assert.ok(segment!.body.length < packed.numbers.byteLength + packed.bytes.byteLength, 'the numbers were stored once per layout')
    assert.deepEqual(read(segment!), batch.map(toLog))
  })
})

describe('segmentsOfLogs', () => {
  it('should keep logs given as columns exactly, rows and empty columns included', () => {
    const logs: PredictionLog[] = [
      { predictionId: 'x', model: 'm', version: '3', time: T0, rows: 2, inputs: { a: [1, null], s: ['p', 'q'] }, outputs: { y: [true, false] }, latencyMs: 2 },
      { predictionId: 'y', model: 'm', version: '3', deployment: 'd', time: T0, rows: 0, inputs: { a: [] }, outputs: {}, latencyMs: 0, error: 'X' },
    ]
    const segments = segmentsOfLogs(logs)
    assert.deepEqual(segments.flatMap(read), logs)
  })
})
