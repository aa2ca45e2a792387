import { allocateTensorData, type Datatype, type Tensor, type TensorData } from '../serving/tensor-types.js'
import type { ServedPrediction } from './prediction-logger.js'

/**
 * A batch of served predictions as one flat list of primitives plus one byte buffer holding
 * every tensor's elements, for handing to the writer thread. A structured clone of the objects
 * themselves walks three typed arrays and a dozen objects per prediction, about three times the
 * cost of this copy; the buffer is then transferred, not cloned.
 */
export interface PackedPredictions {
  meta: Array<string | number>
  bytes: ArrayBuffer
}

/** Typed-array views need offsets aligned to their element size; 8 suits every datatype. */
const align = (n: number) => (n + 7) & ~7

export function packPredictions(batch: readonly ServedPrediction[]): PackedPredictions {
  let size = 0
  for (const p of batch) {
    for (const t of p.inputs) if (t.datatype !== 'BYTES') size += align((t.data as Exclude<TensorData, string[]>).byteLength)
    for (const t of p.outputs) if (t.datatype !== 'BYTES') size += align((t.data as Exclude<TensorData, string[]>).byteLength)
  }
  const bytes = new Uint8Array(size)
  const meta: Array<string | number> = []
  let offset = 0
  const put = (t: Tensor) => {
    meta.push(t.name, t.datatype, t.shape.length)
    for (const d of t.shape) meta.push(d)
    if (t.datatype === 'BYTES') {
      const strings = t.data as string[]
      meta.push(strings.length)
      for (const s of strings) meta.push(s)
      return
    }
    const data = t.data as Exclude<TensorData, string[]>
    meta.push(offset, data.length)
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset)
    offset += align(data.byteLength)
  }
  for (const p of batch) {
    meta.push(p.predictionId, p.model, p.version, p.deployment ?? '', p.time, p.latencyMs, p.error ?? '', p.inputs.length, p.outputs.length)
    for (const t of p.inputs) put(t)
    for (const t of p.outputs) put(t)
  }
  return { meta, bytes: bytes.buffer }
}

export function unpackPredictions({ meta, bytes }: PackedPredictions): ServedPrediction[] {
  const batch: ServedPrediction[] = []
  let i = 0
  const next = () => meta[i++]!
  const take = (): Tensor => {
    const name = next() as string
    const datatype = next() as Datatype
    const rank = next() as number
    const shape: number[] = []
    for (let d = 0; d < rank; d++) shape.push(next() as number)
    if (datatype === 'BYTES') {
      const n = next() as number
      const strings: string[] = []
      for (let s = 0; s < n; s++) strings.push(next() as string)
      return { name, datatype, shape, data: strings }
    }
    const offset = next() as number
    const length = next() as number
    const Kind = (allocateTensorData(datatype, 0) as Exclude<TensorData, string[]>).constructor as new (buffer: ArrayBuffer, offset: number, length: number) => TensorData
    return { name, datatype, shape, data: new Kind(bytes, offset, length) }
  }
  while (i < meta.length) {
    const p: ServedPrediction = { predictionId: next() as string, model: next() as string, version: next() as string, time: 0, latencyMs: 0, inputs: [], outputs: [] }
    const deployment = next() as string
    if (deployment) p.deployment = deployment
    p.time = next() as number
    p.latencyMs = next() as number
    const error = next() as string
    if (error) p.error = error
    const inputs = next() as number
    const outputs = next() as number
    const ins: Tensor[] = []
    const outs: Tensor[] = []
    for (let k = 0; k < inputs; k++) ins.push(take())
    for (let k = 0; k < outputs; k++) outs.push(take())
    p.inputs = ins
    p.outputs = outs
    batch.push(p)
  }
  return batch
}
