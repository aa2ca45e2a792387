import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { buildV2RequestBody, compareTensor } from './conformance.test-helper.js'
import { decodeTensorProto } from './onnx/tensor-proto.js'
import { OnnxInferenceEngine } from './onnx/onnx-inference-engine.js'
import type { OnnxRuntime, OnnxSession } from './onnx/onnx-runtime-types.js'
import { DATATYPE_INFO } from './tensor-types.js'
import type { Tensor } from './tensor-types.js'
import { decodeV2InferRequest, encodeV2InferResponse } from './v2/v2-codec.js'
import type { V2InferResponse } from './v2/v2-codec.js'

/**
 * Every model of ONNX's backend test data (Debian's libonnx-testdata) that onnxruntime-node can
 * run on its own must give the same answer when its inputs travel as a client's V2 JSON request
 * through the codec and the engine, and the outputs come back as a V2 JSON response.
 */

const ROOT = '/usr/share/libonnx-testdata/data'
const GROUPS = ['node', 'pytorch-converted']
const SUMMARY_FILE = join(dirname(fileURLToPath(import.meta.url)), '../../test-output/conformance-summary.json')

interface Outcome {
  kind: 'notLoadable' | 'notExpressible' | 'ortRunError' | 'ortMismatch' | 'passed' | 'failed'
  reason?: string
  /** For ortMismatch: onnxruntime's own outputs, which the V2 path is then held to. */
  ortOutputs?: Tensor[]
  v2MatchesOrt?: boolean
}

const byNumber = (a: string, b: string) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''))

function readTensors(dir: string, prefix: 'input_' | 'output_'): Tensor[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb')).sort(byNumber).map((f) => decodeTensorProto(readFileSync(join(dir, f))))
}

/** Test data names its tensors after the graph's values; old files leave names empty. */
function named(tensors: Tensor[], names: readonly string[]): Tensor[] {
  return tensors.map((t, i) => (names.includes(t.name) ? t : { ...t, name: names[i] ?? t.name }))
}

async function runOrtDirectly(ort: OnnxRuntime, session: OnnxSession, inputs: Tensor[], expected: Tensor[]): Promise<Outcome | undefined> {
  let results: Record<string, { type: string; dims: readonly number[]; data: unknown }>
  try {
    const feeds = Object.fromEntries(inputs.map((t) => [t.name, new ort.Tensor(DATATYPE_INFO[t.datatype].ortType, t.data, t.shape)]))
    results = await session.run(feeds, expected.map((e) => e.name))
  } catch (error) {
    return { kind: 'ortRunError', reason: (error as Error).message.split('\n')[0] }
  }
  const ortOutputs = expected.map((e) => {
    const r = results[e.name]!
    const datatype = Object.entries(DATATYPE_INFO).find(([, info]) => info.ortType === r.type)?.[0] ?? r.type
    return { name: e.name, datatype, shape: [...r.dims], data: r.data } as Tensor
  })
  for (const [i, e] of expected.entries()) {
    const r = ortOutputs[i]!
    const diff = compareTensor(e, r.datatype, r.shape, r.data as ArrayLike<unknown>, false)
    if (diff) return { kind: 'ortMismatch', reason: `${e.name}: ${diff}`, ortOutputs }
  }
  return undefined
}

async function throughV2(engine: OnnxInferenceEngine, bytes: Uint8Array, inputs: Tensor[], expected: Tensor[], label: string): Promise<Outcome> {
  const model = await engine.load(bytes, { label })
  try {
    const body = JSON.parse(buildV2RequestBody(inputs, expected.map((e) => e.name))) as unknown
    const request = decodeV2InferRequest(body, model.signature)
    const outputs = await model.infer(request.inputs, request.outputs)
    const response = JSON.parse(JSON.stringify(encodeV2InferResponse(outputs, { modelName: label, id: request.id }))) as V2InferResponse
    if (response.id !== 'conformance') return { kind: 'failed', reason: 'the response lost the request id' }
    for (const e of expected) {
      const out = response.outputs.find((o) => o.name === e.name)
      if (!out) return { kind: 'failed', reason: `output ${e.name} missing from the response` }
      const diff = compareTensor(e, out.datatype, out.shape, out.data, true)
      if (diff) return { kind: 'failed', reason: `${e.name}: ${diff}` }
    }
    return { kind: 'passed' }
  } finally {
    await model.dispose()
  }
}

async function check(ort: OnnxRuntime, engine: OnnxInferenceEngine, dir: string, label: string): Promise<Outcome> {
  const bytes = readFileSync(join(dir, 'model.onnx'))
  let session: OnnxSession
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4, intraOpNumThreads: 1 })
  } catch (error) {
    return { kind: 'notLoadable', reason: (error as Error).message.split('\n')[0] }
  }
  let inputs: Tensor[]
  let expected: Tensor[]
  try {
    const meta = [...(session.inputMetadata ?? []), ...(session.outputMetadata ?? [])]
    const nonTensor = meta.find((m) => !m.isTensor)
    if (nonTensor) return { kind: 'notExpressible', reason: `'${nonTensor.name}' is not a tensor` }
    const dataDir = join(dir, 'test_data_set_0')
    try {
      inputs = named(readTensors(dataDir, 'input_'), session.inputNames)
      expected = named(readTensors(dataDir, 'output_'), session.outputNames)
    } catch (error) {
      return { kind: 'notExpressible', reason: (error as Error).message }
    }
    const direct = await runOrtDirectly(ort, session, inputs, expected)
    if (direct?.ortOutputs) {
      // Still worth holding the V2 path to onnxruntime's own answer (random ops aside).
      const v2 = await throughV2(engine, bytes, inputs, direct.ortOutputs, label).catch((e: Error) => ({ kind: 'failed', reason: e.message }))
      return { kind: 'ortMismatch', reason: direct.reason, v2MatchesOrt: v2.kind === 'passed' }
    }
    if (direct) return direct
  } finally {
    await session.release()
  }
  try {
    return await throughV2(engine, bytes, inputs, expected, label)
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message.split('\n')[0] }
  }
}

describe('conformance: ONNX backend test data through V2 JSON', { skip: existsSync(ROOT) ? false : `${ROOT} is absent (apt-get install libonnx-testdata)` }, () => {
  it('should give onnxruntime-node\'s answers for every model it runs', { timeout: 600_000 }, async () => {
    const mod = await import('onnxruntime-node')
    const ort = ((mod as { default?: unknown }).default ?? mod) as OnnxRuntime
    ort.env.logLevel = 'fatal'
    const engine = new OnnxInferenceEngine({ logSeverityLevel: 4 })
    const outcomes = new Map<string, Outcome>()
    const started = Date.now()
    for (const group of GROUPS) {
      for (const name of readdirSync(join(ROOT, group)).sort()) {
        const dir = join(ROOT, group, name)
        if (!existsSync(join(dir, 'model.onnx'))) continue
        outcomes.set(`${group}/${name}`, await check(ort, engine, dir, `${group}/${name}`))
      }
    }
    const list = (kind: Outcome['kind']) =>
      [...outcomes].filter(([, o]) => o.kind === kind).map(([n, o]) => ({ name: n, reason: o.reason, ...(o.v2MatchesOrt === undefined ? {} : { v2MatchesOrt: o.v2MatchesOrt }) }))
    const count = (kind: Outcome['kind']) => list(kind).length
    const summary = {
      totalDirs: outcomes.size,
      notLoadableByOnnxruntimeNode: count('notLoadable'),
      notExpressibleInV2: count('notExpressible'),
      notRunnableByOnnxruntimeNode: count('ortRunError'),
      onnxruntimeDisagreesWithExpected: count('ortMismatch'),
      ofWhichV2MatchesOnnxruntime: [...outcomes.values()].filter((o) => o.v2MatchesOrt).length,
      runnableByOnnxruntimeNode: count('passed') + count('failed'),
      passedThroughV2Json: count('passed'),
      failedThroughV2Json: count('failed'),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      failures: list('failed'),
      skipped: {
        notLoadable: list('notLoadable'),
        notExpressible: list('notExpressible'),
        ortRunError: list('ortRunError'),
        ortMismatch: list('ortMismatch'),
      },
    }
    mkdirSync(dirname(SUMMARY_FILE), { recursive: true })
    writeFileSync(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`)
    const { failures, skipped, ...counts } = summary
    console.log('V2 conformance:', JSON.stringify(counts), failures.length > 0 ? `\nfailures:\n${failures.map((f) => `  ${f.name}: ${f.reason}`).join('\n')}` : '')
    assert.deepEqual(failures, [], 'models that onnxruntime-node runs correctly but the V2 path does not')
    assert.ok(summary.passedThroughV2Json > 0)
  })
})
