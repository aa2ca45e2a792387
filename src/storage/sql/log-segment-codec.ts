import type { Datatype, Tensor, TensorData } from '../../serving/tensor-types.js'
import type { LoggedColumns, PredictionLog } from '../../monitoring/prediction-log-store.js'
import { rowsOf, tensorsToColumns } from '../../monitoring/tensor-columns.js'

/**
 * The body of one stored log segment: the records of one model, version and deployment within
 * one minute, in arrival order, as bytes. Served requests keep their tensors as the serving path
 * packed them (raw element bytes), so writing a record is a copy, not a conversion: the columns
 * and their JSON are made when the record is read, which is far rarer than writing it. Records
 * that arrive as columns (the ingest API, logs of the old layout) are kept as their JSON.
 *
 * Layout, little-endian: the records back to back, then one u32 offset per record, then the
 * JSON of the string dictionary (tensor names, datatypes, errors), then u32 dictionary length
 * and u32 record count.
 */

const DATATYPES: readonly Datatype[] = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']
const DATATYPE_CODE = new Map(DATATYPES.map((d, i) => [d, i]))
const TYPED: Record<Exclude<Datatype, 'BYTES'>, { BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer, offset: number, length: number): TensorData }> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array, FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array,
}

const KIND_TENSORS = 0
const KIND_COLUMNS = 1
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** Bytes per element of a non-BYTES datatype. */
export function elementSize(datatype: Datatype): number {
  return TYPED[datatype as Exclude<Datatype, 'BYTES'>].BYTES_PER_ELEMENT
}

/** Builds one segment body record by record. */
export class SegmentEncoder {
  #bytes = new Uint8Array(16 * 1024)
  #view = new DataView(this.#bytes.buffer)
  #used = 0
  readonly #offsets: number[] = []
  readonly #dict = new Map<string, number>()
  /** Prediction ids in record order. */
  readonly ids: string[] = []
  minTime = Infinity
  maxTime = -Infinity

  get count(): number {
    return this.ids.length
  }

  /** Starts a record; its tensors follow through `tensor` / `bytesTensor` (`inputs` then `outputs`). */
  beginServed(id: string, time: number, latencyMs: number, error: string, inputs: number, outputs: number): void {
    this.#begin(id, time, latencyMs, error, KIND_TENSORS)
    this.#reserve(4)
    this.#view.setUint16(this.#used, inputs, true)
    this.#view.setUint16(this.#used + 2, outputs, true)
    this.#used += 4
  }

  /** A numeric tensor: its elements are `length` elements of `source` from byte `offset`. */
  tensor(name: string, datatype: Datatype, shape: readonly number[], source: Uint8Array, offset: number, length: number): void {
    const byteLength = length * elementSize(datatype)
    this.#tensorHead(name, datatype, shape, 4 + 8 + byteLength)
    this.#view.setUint32(this.#used, byteLength, true)
    // Element data starts 8-aligned within the body, so a reader can view it in place.
    this.#used = (this.#used + 4 + 7) & ~7
    this.#bytes.set(source.subarray(offset, offset + byteLength), this.#used)
    this.#used += byteLength
  }

  bytesTensor(name: string, shape: readonly number[], strings: readonly string[]): void {
    const encoded = strings.map((s) => utf8.encode(s))
    this.#tensorHead(name, 'BYTES', shape, 4 + encoded.reduce((n, e) => n + 4 + e.length, 0))
    this.#u32(strings.length)
    for (const e of encoded) {
      this.#u32(e.length)
      this.#bytes.set(e, this.#used)
      this.#used += e.length
    }
  }

  /** A record given as columns (ingested, or migrated from the row layout). */
  addColumns(log: PredictionLog): void {
    this.#begin(log.predictionId, log.time, log.latencyMs, log.error ?? '', KIND_COLUMNS)
    const json = utf8.encode(JSON.stringify([log.inputs, log.outputs]))
    this.#reserve(8 + json.length)
    this.#u32(log.rows)
    this.#u32(json.length)
    this.#bytes.set(json, this.#used)
    this.#used += json.length
  }

  #finished: Uint8Array | undefined

  /** The finished body; no record may be added after it. */
  finish(): Uint8Array {
    if (this.#finished) return this.#finished
    const dict = utf8.encode(JSON.stringify([...this.#dict.keys()]))
    this.#reserve(this.#offsets.length * 4 + dict.length + 8)
    for (const o of this.#offsets) this.#u32(o)
    this.#bytes.set(dict, this.#used)
    this.#used += dict.length
    this.#u32(dict.length)
    this.#u32(this.#offsets.length)
    this.#finished = this.#bytes.subarray(0, this.#used)
    return this.#finished
  }

  #begin(id: string, time: number, latencyMs: number, error: string, kind: number): void {
    this.ids.push(id)
    if (time < this.minTime) this.minTime = time
    if (time > this.maxTime) this.maxTime = time
    this.#reserve(24)
    this.#offsets.push(this.#used)
    const view = this.#view
    view.setUint8(this.#used, kind)
    view.setUint16(this.#used + 1, error ? this.#word(error) : 0, true)
    view.setFloat64(this.#used + 4, time, true)
    view.setFloat64(this.#used + 12, latencyMs, true)
    this.#used += 20
  }

  #tensorHead(name: string, datatype: Datatype, shape: readonly number[], body: number): void {
    this.#reserve(4 + 4 * shape.length + body + 8)
    const view = this.#view
    view.setUint16(this.#used, this.#word(name), true)
    view.setUint8(this.#used + 2, DATATYPE_CODE.get(datatype)!)
    view.setUint8(this.#used + 3, shape.length)
    this.#used += 4
    for (const d of shape) this.#u32(d)
  }

  /** Dictionary index + 1 (0 means none). */
  #word(s: string): number {
    let i = this.#dict.get(s)
    if (i === undefined) {
      i = this.#dict.size + 1
      this.#dict.set(s, i)
    }
    return i
  }

  #u32(n: number): void {
    this.#view.setUint32(this.#used, n, true)
    this.#used += 4
  }

  #reserve(n: number): void {
    if (this.#used + n <= this.#bytes.length) return
    const grown = new Uint8Array(Math.max(this.#used + n, this.#bytes.length * 2))
    grown.set(this.#bytes.subarray(0, this.#used))
    this.#bytes = grown
    this.#view = new DataView(grown.buffer)
  }
}

/** What a segment row carries besides its body. */
export interface SegmentHead {
  model: string
  version: string
  deployment: string | null
  /** Prediction ids in record order. */
  ids: readonly string[]
}

/** A decoded record before it is made a PredictionLog: enough to filter and sort on. */
export interface SegmentRecord {
  position: number
  time: number
  id: string
}

/** Reads a segment body; records are decoded one at a time, on demand. */
export class SegmentReader {
  readonly #bytes: Uint8Array
  readonly #view: DataView
  readonly #offsets: Uint32Array
  readonly #dict: string[]
  readonly #head: SegmentHead

  constructor(body: Uint8Array, head: SegmentHead) {
    // The element views need 8-aligned offsets: a driver's buffer may sit anywhere in its pool.
    this.#bytes = body.byteOffset % 8 === 0 ? body : body.slice()
    this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength)
    const end = this.#bytes.byteLength
    const count = this.#view.getUint32(end - 4, true)
    const dictLength = this.#view.getUint32(end - 8, true)
    const dictStart = end - 8 - dictLength
    this.#dict = JSON.parse(fromUtf8.decode(this.#bytes.subarray(dictStart, dictStart + dictLength))) as string[]
    this.#offsets = new Uint32Array(count)
    for (let i = 0; i < count; i++) this.#offsets[i] = this.#view.getUint32(dictStart - 4 * count + 4 * i, true)
    this.#head = head
  }

  get count(): number {
    return this.#offsets.length
  }

  time(position: number): number {
    return this.#view.getFloat64(this.#offsets[position]! + 4, true)
  }

  log(position: number): PredictionLog {
    const view = this.#view
    let at = this.#offsets[position]!
    const kind = view.getUint8(at)
    const error = view.getUint16(at + 1, true)
    const log: PredictionLog = {
      predictionId: this.#head.ids[position]!,
      model: this.#head.model,
      version: this.#head.version,
      time: view.getFloat64(at + 4, true),
      rows: 0,
      inputs: {},
      outputs: {},
      latencyMs: view.getFloat64(at + 12, true),
    }
    if (this.#head.deployment !== null) log.deployment = this.#head.deployment
    if (error !== 0) log.error = this.#dict[error - 1]!
    at += 20
    if (kind === KIND_COLUMNS) {
      log.rows = view.getUint32(at, true)
      const length = view.getUint32(at + 4, true)
      const [inputs, outputs] = JSON.parse(fromUtf8.decode(this.#bytes.subarray(at + 8, at + 8 + length))) as [LoggedColumns, LoggedColumns]
      log.inputs = inputs
      log.outputs = outputs
      return log
    }
    const inputs = view.getUint16(at, true)
    const outputs = view.getUint16(at + 2, true)
    at += 4
    const tensors: Tensor[] = []
    for (let k = 0; k < inputs + outputs; k++) at = this.#tensor(at, tensors)
    log.rows = rowsOf(tensors.slice(0, inputs))
    log.inputs = tensorsToColumns(tensors.slice(0, inputs))
    log.outputs = tensorsToColumns(tensors.slice(inputs))
    return log
  }

  /** Reads the tensor at `at` into `into`; returns where the next one starts. */
  #tensor(at: number, into: Tensor[]): number {
    const view = this.#view
    const name = this.#dict[view.getUint16(at, true) - 1]!
    const datatype = DATATYPES[view.getUint8(at + 2)]!
    const rank = view.getUint8(at + 3)
    at += 4
    const shape: number[] = []
    for (let d = 0; d < rank; d++, at += 4) shape.push(view.getUint32(at, true))
    if (datatype === 'BYTES') {
      const n = view.getUint32(at, true)
      at += 4
      const strings: string[] = []
      for (let s = 0; s < n; s++) {
        const length = view.getUint32(at, true)
        strings.push(fromUtf8.decode(this.#bytes.subarray(at + 4, at + 4 + length)))
        at += 4 + length
      }
      into.push({ name, datatype, shape, data: strings })
      return at
    }
    const byteLength = view.getUint32(at, true)
    at = (at + 4 + 7) & ~7
    const Kind = TYPED[datatype]
    into.push({ name, datatype, shape, data: new Kind(this.#bytes.buffer as ArrayBuffer, this.#bytes.byteOffset + at, byteLength / Kind.BYTES_PER_ELEMENT) })
    return at + byteLength
  }
}
