import { allocateTensorData, type Datatype, type Tensor, type TensorData } from '../serving/tensor-types.js'
import type { ServedPrediction } from './prediction-logger.js'

/**
 * Served predictions as a few flat arrays. The serving path appends each answered request here at
 * once (a copy of a few small arrays), so the buffer holds no request objects: a thousand
 * requests' tensors kept alive for a flush interval get promoted out of the young generation and
 * cost the serving thread about 3 % in garbage collection. The hand-over to the writer thread is
 * a structured clone made on the serving thread, so the packed form is what clones cheaply: the
 * numbers in one Float64Array and the tensor elements in one buffer (each a memory copy), the
 * strings that repeat (model, version, deployment, tensor names, datatypes, errors) once each
 * in `words`, referenced by index. Only the prediction ids and BYTES elements are strings per
 * record.
 *
 * `numbers` per record: model, version, deployment, error (word indexes; deployment and error
 * -1 when absent), time, latency, input count, output count; then per tensor: name, datatype
 * (word indexes), rank, the dimensions, and for BYTES the element count (the elements are next
 * in `texts`), else the byte offset in `bytes` and the element count.
 */
export interface PackedPredictions {
  count: number
  /** Whether some record's model, version or deployment differs from the first record's. */
  mixed: boolean
  minTime: number
  maxTime: number
  ids: string[]
  words: string[]
  numbers: Float64Array
  texts: string[]
  bytes: ArrayBuffer
}

/** The records of a packed batch without their tensor bytes: what a walk over them reads. */
export type PackedRecords = Pick<PackedPredictions, 'ids' | 'words' | 'numbers' | 'texts'>

/** Typed-array views need offsets aligned to their element size; 8 suits every datatype. */
const align = (n: number) => (n + 7) & ~7

/** Packs predictions one by one; `take` hands the batch over and starts a new one. */
export class PredictionPacker {
  #ids: string[] = []
  #words = new Map<string, number>()
  #numbers = new Float64Array(16 * 1024)
  #n = 0
  #texts: string[] = []
  #bytes = new Uint8Array(64 * 1024)
  /** Views of `#bytes` by typed-array constructor, made on first use. */
  readonly #views = new Map<unknown, Exclude<TensorData, string[]>>()
  #used = 0
  #mixed = false
  #minTime = Infinity
  #maxTime = -Infinity

  get count(): number {
    return this.#ids.length
  }

  add(p: ServedPrediction): void {
    this.#head(p.predictionId, p.model, p.version, p.deployment, p.error, p.time, p.latencyMs, p.inputs.length, p.outputs.length)
    for (const t of p.inputs) this.#put(t)
    for (const t of p.outputs) this.#put(t)
  }

  /** A record given as columns, kept as their JSON (see PackedVisitor.columns). */
  addColumns(p: Omit<ServedPrediction, 'inputs' | 'outputs'>, rows: number, json: string): void {
    this.#head(p.predictionId, p.model, p.version, p.deployment, p.error, p.time, p.latencyMs, -1, rows)
    this.#texts.push(json)
  }

  #head(id: string, model: string, version: string, deployment: string | undefined, error: string | undefined, time: number, latencyMs: number, inputs: number, outputs: number): void {
    this.#ids.push(id)
    this.#reserve(8)
    const numbers = this.#numbers
    const n = this.#n
    numbers[n] = this.#word(model)
    numbers[n + 1] = this.#word(version)
    numbers[n + 2] = deployment ? this.#word(deployment) : -1
    numbers[n + 3] = error ? this.#word(error) : -1
    numbers[n + 4] = time
    numbers[n + 5] = latencyMs
    numbers[n + 6] = inputs
    numbers[n + 7] = outputs
    this.#n = n + 8
    if (n > 0 && (numbers[n] !== numbers[0] || numbers[n + 1] !== numbers[1] || numbers[n + 2] !== numbers[2])) this.#mixed = true
    if (time < this.#minTime) this.#minTime = time
    if (time > this.#maxTime) this.#maxTime = time
  }

  take(): PackedPredictions {
    const packed: PackedPredictions = {
      count: this.#ids.length,
      mixed: this.#mixed,
      minTime: this.#minTime,
      maxTime: this.#maxTime,
      ids: this.#ids,
      words: [...this.#words.keys()],
      numbers: this.#numbers.slice(0, this.#n),
      texts: this.#texts,
      bytes: this.#bytes.buffer.slice(0, this.#used),
    }
    this.#ids = []
    this.#words = new Map()
    this.#n = 0
    this.#texts = []
    this.#used = 0
    this.#mixed = false
    this.#minTime = Infinity
    this.#maxTime = -Infinity
    return packed
  }

  #put(t: Tensor): void {
    const rank = t.shape.length
    this.#reserve(5 + rank)
    const numbers = this.#numbers
    let n = this.#n
    numbers[n++] = this.#word(t.name)
    numbers[n++] = this.#word(t.datatype)
    numbers[n++] = rank
    for (let d = 0; d < rank; d++) numbers[n++] = t.shape[d]!
    if (t.datatype === 'BYTES') {
      const strings = t.data as string[]
      numbers[n++] = strings.length
      for (const s of strings) this.#texts.push(s)
      this.#n = n
      return
    }
    const data = t.data as Exclude<TensorData, string[]>
    const end = this.#used + align(data.byteLength)
    if (end > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.#bytes.length * 2))
      grown.set(this.#bytes.subarray(0, this.#used))
      this.#bytes = grown
      this.#views.clear()
    }
    numbers[n++] = this.#used
    numbers[n++] = data.length
    this.#n = n
    this.#viewLike(data).set(data as never, this.#used / data.BYTES_PER_ELEMENT)
    this.#used = end
  }

  /**
   * A view of the bytes of the same type as `data`, so its elements are copied as a memory copy.
   * Not a byte view of `data.buffer`: a small typed array lives in the JavaScript heap, and
   * asking for its buffer moves it out (an allocation per tensor, most of what packing cost).
   */
  #viewLike(data: Exclude<TensorData, string[]>): Exclude<TensorData, string[]> {
    const Kind = data.constructor as new (buffer: ArrayBuffer) => Exclude<TensorData, string[]>
    let view = this.#views.get(Kind)
    if (view === undefined) {
      view = new Kind(this.#bytes.buffer as ArrayBuffer)
      this.#views.set(Kind, view)
    }
    return view
  }

  #word(s: string): number {
    let i = this.#words.get(s)
    if (i === undefined) {
      i = this.#words.size
      this.#words.set(s, i)
    }
    return i
  }

  #reserve(n: number): void {
    if (this.#n + n <= this.#numbers.length) return
    const grown = new Float64Array(Math.max(this.#n + n, this.#numbers.length * 2))
    grown.set(this.#numbers.subarray(0, this.#n))
    this.#numbers = grown
  }
}

/** A whole batch at once (tests, and callers that hold the objects anyway). */
export function packPredictions(batch: readonly ServedPrediction[]): PackedPredictions {
  const packer = new PredictionPacker()
  for (const p of batch) packer.add(p)
  return packer.take()
}

/** What a reader of a packed batch is told, record by record, in order. */
export interface PackedVisitor {
  record(id: string, model: string, version: string, deployment: string | undefined, error: string | undefined, time: number, latencyMs: number, inputs: number, outputs: number): void
  /** A numeric tensor: `length` elements from byte `offset` of the batch's bytes. */
  tensor(name: string, datatype: Exclude<Datatype, 'BYTES'>, shape: number[], offset: number, length: number): void
  bytesTensor(name: string, shape: number[], strings: string[]): void
  /**
   * A record stored as columns rather than tensors (the log store's, for logs it is given as
   * columns): input count -1, the output count slot holds its rows, its JSON is next in `texts`.
   */
  columns?(rows: number, json: string): void
}

/** Where a record starts: its index in `ids`, its first number, its first text. */
export interface PackedCursor {
  record: number
  n: number
  text: number
}

/** Visits the record at `at`; returns where the next one starts. */
export function visitRecord(batch: PackedRecords, at: PackedCursor, visitor: PackedVisitor): PackedCursor {
  const { words, numbers, texts } = batch
  const word = (i: number) => (i < 0 ? undefined : words[i]!)
  let { n, text } = at
  const inputs = numbers[n + 6]!
  const outputs = numbers[n + 7]!
  visitor.record(batch.ids[at.record]!, words[numbers[n]!]!, words[numbers[n + 1]!]!, word(numbers[n + 2]!), word(numbers[n + 3]!), numbers[n + 4]!, numbers[n + 5]!, inputs, outputs)
  n += 8
  if (inputs === -1) {
    visitor.columns?.(outputs, texts[text]!)
    return { record: at.record + 1, n, text: text + 1 }
  }
  for (let k = 0; k < inputs + outputs; k++) {
    const name = words[numbers[n]!]!
    const datatype = words[numbers[n + 1]!]! as Datatype
    const rank = numbers[n + 2]!
    const shape: number[] = []
    for (let d = 0; d < rank; d++) shape.push(numbers[n + 3 + d]!)
    n += 3 + rank
    if (datatype === 'BYTES') {
      const count = numbers[n++]!
      visitor.bytesTensor(name, shape, texts.slice(text, text + count))
      text += count
      continue
    }
    visitor.tensor(name, datatype, shape, numbers[n]!, numbers[n + 1]!)
    n += 2
  }
  return { record: at.record + 1, n, text }
}

/** Walks a packed batch, in the order it was packed. */
export function visitPacked(batch: PackedRecords, visitor: PackedVisitor): void {
  for (let at: PackedCursor = { record: 0, n: 0, text: 0 }; at.record < batch.ids.length; ) at = visitRecord(batch, at, visitor)
}

/** A numeric tensor viewing its elements in a batch's bytes, where a PackedVisitor found them. */
export function packedTensor(bytes: ArrayBuffer, name: string, datatype: Exclude<Datatype, 'BYTES'>, shape: number[], offset: number, length: number): Tensor {
  const Kind = (allocateTensorData(datatype, 0) as Exclude<TensorData, string[]>).constructor as new (buffer: ArrayBuffer, offset: number, length: number) => TensorData
  return { name, datatype, shape, data: new Kind(bytes, offset, length) }
}

export function unpackPredictions(batch: PackedRecords & Pick<PackedPredictions, 'bytes'>): ServedPrediction[] {
  const out: ServedPrediction[] = []
  let current: ServedPrediction | undefined
  let inputsLeft = 0
  const push = (t: Tensor) => {
    if (inputsLeft-- > 0) (current!.inputs as Tensor[]).push(t)
    else (current!.outputs as Tensor[]).push(t)
  }
  visitPacked(batch, {
    record(predictionId, model, version, deployment, error, time, latencyMs, inputs) {
      current = { predictionId, model, version, time, latencyMs, inputs: [], outputs: [] }
      if (deployment !== undefined) current.deployment = deployment
      if (error !== undefined) current.error = error
      inputsLeft = inputs
      out.push(current)
    },
    tensor(name, datatype, shape, offset, length) {
      push(packedTensor(batch.bytes, name, datatype, shape, offset, length))
    },
    bytesTensor(name, shape, data) {
      push({ name, datatype: 'BYTES', shape, data })
    },
  })
  return out
}
