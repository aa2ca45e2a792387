import { packedTensor, visitRecord, type PackedCursor, type PackedPredictions, type PackedRecords } from '../../monitoring/packed-predictions.js'
import type { LoggedColumns, PredictionLog } from '../../monitoring/prediction-log-store.js'
import { rowsOf, tensorsToColumns } from '../../monitoring/tensor-columns.js'
import { decodeUniform, encodeUniform } from './log-segment-uniform.js'
import type { Tensor } from '../../serving/tensor-types.js'

/**
 * The body of one stored log segment is the packed form the serving thread built (see
 * PredictionPacker) as bytes: writing a segment of one batch is a few memory copies, and the
 * columns and their JSON are made when a record is read, far rarer than writing it.
 *
 * Layout, little-endian: a 24-byte head (format byte, u32 record count, then the byte lengths
 * of numbers, tensor bytes, words JSON and texts JSON), the numbers (float64s, or uniformly
 * encoded when every record has the same layout), the tensor bytes, the JSON of `words`, the
 * JSON of `texts`. Both binary parts start 8-aligned.
 * The ids are not in the body: the segment row carries them for the id index.
 */
const FORMAT_PACKED = 1
/** The numbers part in the uniform encoding (see log-segment-uniform.ts). */
const FORMAT_UNIFORM = 2
const HEAD = 24
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

export function encodeSegment(batch: Omit<PackedPredictions, 'mixed' | 'minTime' | 'maxTime'>): Uint8Array {
  const words = utf8.encode(JSON.stringify(batch.words))
  const texts = utf8.encode(batch.texts.length === 0 ? '[]' : JSON.stringify(batch.texts))
  const uniform = encodeUniform(batch)
  const numbers = uniform ?? new Uint8Array(batch.numbers.buffer, batch.numbers.byteOffset, batch.numbers.byteLength)
  const bytes = new Uint8Array(batch.bytes)
  const body = new Uint8Array(HEAD + numbers.length + bytes.length + words.length + texts.length)
  const view = new DataView(body.buffer)
  view.setUint8(0, uniform ? FORMAT_UNIFORM : FORMAT_PACKED)
  view.setUint32(4, batch.count, true)
  view.setUint32(8, numbers.length, true)
  view.setUint32(12, bytes.length, true)
  view.setUint32(16, words.length, true)
  view.setUint32(20, texts.length, true)
  let at = HEAD
  for (const part of [numbers, bytes, words, texts]) {
    body.set(part, at)
    at += part.length
  }
  return body
}

/** What a segment row carries besides its body. */
export interface SegmentHead {
  model: string
  version: string
  deployment: string | null
  /** Prediction ids in record order. */
  ids: string[]
}

/** Reads a segment body; records are turned into logs one at a time, on demand. */
export class SegmentReader {
  readonly #records: PackedRecords
  readonly #bytes: ArrayBuffer
  readonly #starts: PackedCursor[] = []

  constructor(body: Uint8Array, head: SegmentHead) {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
    const format = view.getUint8(0)
    if (format !== FORMAT_PACKED && format !== FORMAT_UNIFORM) throw new Error(`unknown prediction log segment format ${format}`)
    const lengths = [8, 12, 16, 20].map((o) => view.getUint32(o, true))
    const [numbersEnd, bytesEnd, wordsEnd, textsEnd] = lengths.map((_, i) => HEAD + lengths.slice(0, i + 1).reduce((a, b) => a + b, 0)) as [number, number, number, number]
    // Copied out: a driver's buffer may sit anywhere in its pool, and the views need alignment.
    // (A Buffer's slice is a view, hence the copies through the Uint8Array constructor.)
    this.#bytes = new Uint8Array(body.subarray(numbersEnd, bytesEnd)).buffer
    const numbers =
      format === FORMAT_UNIFORM
        ? decodeUniform(body.subarray(HEAD, numbersEnd), head.ids.length, this.#bytes.byteLength)
        : new Float64Array(new Uint8Array(body.subarray(HEAD, numbersEnd)).buffer)
    const words = JSON.parse(fromUtf8.decode(body.subarray(bytesEnd, wordsEnd))) as string[]
    const texts = JSON.parse(fromUtf8.decode(body.subarray(wordsEnd, textsEnd))) as string[]
    this.#records = { ids: head.ids, words, numbers, texts }
    const skip = { record() {}, tensor() {}, bytesTensor() {} }
    for (let at: PackedCursor = { record: 0, n: 0, text: 0 }; at.record < head.ids.length; ) {
      this.#starts.push(at)
      at = visitRecord(this.#records, at, skip)
    }
  }

  get count(): number {
    return this.#starts.length
  }

  time(position: number): number {
    return this.#records.numbers[this.#starts[position]!.n + 4]!
  }

  log(position: number): PredictionLog {
    let log: PredictionLog | undefined
    let inputsLeft = 0
    let asColumns = false
    const inputs: Tensor[] = []
    const outputs: Tensor[] = []
    const bytes = this.#bytes
    const push = (t: Tensor) => (inputsLeft-- > 0 ? inputs : outputs).push(t)
    visitRecord(this.#records, this.#starts[position]!, {
      record(predictionId, model, version, deployment, error, time, latencyMs, ins) {
        log = { predictionId, model, version, time, rows: 0, inputs: {}, outputs: {}, latencyMs }
        if (deployment !== undefined) log.deployment = deployment
        if (error !== undefined) log.error = error
        inputsLeft = ins
      },
      tensor(name, datatype, shape, offset, length) {
        push(packedTensor(bytes, name, datatype, shape, offset, length))
      },
      bytesTensor(name, shape, data) {
        push({ name, datatype: 'BYTES', shape, data })
      },
      columns(rows, json) {
        const [ins, outs] = JSON.parse(json) as [LoggedColumns, LoggedColumns]
        Object.assign(log!, { rows, inputs: ins, outputs: outs })
        asColumns = true
      },
    })
    if (!asColumns) {
      log!.rows = rowsOf(inputs)
      log!.inputs = tensorsToColumns(inputs)
      log!.outputs = tensorsToColumns(outputs)
    }
    return log!
  }
}
