import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Type as T, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { registerModels, stringModel, unaryModel, v2Body } from '../../inference/serving-fixtures.test-helper.js'
import { writeOnnxModel } from '../../serving/onnx/onnx-model-writer.test-helper.js'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'

/**
 * The response schemas of the Open Inference Protocol's OpenAPI document
 * (open_inference_rest.yaml, components.schemas), written out here so responses are checked
 * against the spec rather than against the routes' own schemas.
 */
const Spec = {
  serverMetadata: T.Object({ name: T.String(), version: T.String(), extensions: T.Array(T.String()) }),
  error: T.Object({ error: T.String() }),
  modelMetadata: T.Object({
    name: T.String(),
    versions: T.Optional(T.Array(T.String())),
    platform: T.String(),
    inputs: T.Optional(T.Array(T.Object({ name: T.String(), datatype: T.String(), shape: T.Array(T.Integer()) }))),
    outputs: T.Optional(T.Array(T.Object({ name: T.String(), datatype: T.String(), shape: T.Array(T.Integer()) }))),
  }),
  inferenceResponse: T.Object({
    model_name: T.String(),
    model_version: T.Optional(T.String()),
    id: T.Optional(T.String()),
    parameters: T.Optional(T.Object({})),
    outputs: T.Array(T.Object({ name: T.String(), shape: T.Array(T.Integer()), datatype: T.String(), parameters: T.Optional(T.Object({})), data: T.Recursive((self) => T.Array(T.Union([self, T.Number(), T.String(), T.Boolean()]))) })),
  }),
}

function conforms(schema: TSchema, body: unknown): void {
  const errors = [...Value.Errors(schema, body)].map((e) => `${e.path}: ${e.message}`)
  assert.deepEqual(errors, [], JSON.stringify(body))
}

const ROW = [1, -2, 3, -4]

describe('Open Inference Protocol routes', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp({ servingBodyLimit: 4096 })
    await registerModels(t.services, 'churn', [unaryModel('Identity'), unaryModel('Relu')], { champion: 2 })
    await registerModels(t.services, 'echo', [stringModel()])
  })
  after(() => t.close())

  it('should describe the server, its health and readiness', async () => {
    const server = await call(t.app, 'GET', '/v2')
    assert.equal(server.status, 200)
    conforms(Spec.serverMetadata, server.body)
    assert.equal(server.body.name, 'plinth')
    assert.deepEqual((await call(t.app, 'GET', '/v2/health/live')).body, { live: true })
    assert.deepEqual((await call(t.app, 'GET', '/v2/health/ready')).body, { ready: true })
  })

  it('should describe a model and an exact version as the spec shapes them', async () => {
    const metadata = await call(t.app, 'GET', '/v2/models/churn')
    assert.equal(metadata.status, 200)
    conforms(Spec.modelMetadata, metadata.body)
    assert.deepEqual(metadata.body, {
      name: 'churn', versions: ['1', '2'], platform: 'onnx_onnxv1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 4] }],
    })
    assert.equal((await call(t.app, 'GET', '/v2/models/churn/versions/1')).status, 200)
    assert.deepEqual((await call(t.app, 'GET', '/v2/models/churn/ready')).body, { name: 'churn', ready: true })
    assert.deepEqual((await call(t.app, 'GET', '/v2/models/churn/versions/1/ready')).body, { name: 'churn', ready: true })
    const missing = await call(t.app, 'GET', '/v2/models/nobody')
    assert.equal(missing.status, 404)
    conforms(Spec.error, missing.body)
  })

  it('should infer, echo the id, return the requested outputs and name the version', async () => {
    const response = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([ROW, ROW], { id: 'req-7', outputs: [{ name: 'y' }] }))
    assert.equal(response.status, 200)
    conforms(Spec.inferenceResponse, response.body)
    assert.deepEqual(response.body, { model_name: 'churn', model_version: '2', id: 'req-7', outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 4], data: [1, 0, 3, 0, 1, 0, 3, 0] }] })
    const exact = await call(t.app, 'POST', '/v2/models/churn/versions/1/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [[1, -2, 3, -4]] }] })
    assert.deepEqual(exact.body.outputs[0].data, ROW)
  })

  it('should carry BYTES tensors as strings', async () => {
    const response = await call(t.app, 'POST', '/v2/models/echo/infer', { inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['héllo', ''] }] })
    assert.equal(response.status, 200)
    assert.deepEqual(response.body.outputs, [{ name: 'same', datatype: 'BYTES', shape: [2], data: ['héllo', ''] }])
  })

  it('should answer 400 naming the tensor for a wrong name, shape or datatype', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ inputs: [{ name: 'z', datatype: 'FP32', shape: [1, 4], data: ROW }] }, /input 'z' is not an input of this model; its inputs are 'x' \(FP32 \[-1, 4\]\)/],
      [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, /input 'x': shape \[1, 3\] does not fit the model's \[-1, 4\]/],
      [{ inputs: [{ name: 'x', datatype: 'INT64', shape: [1, 4], data: ROW }] }, /input 'x': datatype is INT64 but the model expects FP32/],
      [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 'three', 4] }] }, /input 'x': element 2 is "three"/],
      [{ inputs: [] }, /missing input 'x'/],
      [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }], outputs: [{ name: 'nope' }] }, /output 'nope' is not an output/],
    ]
    for (const [body, message] of cases) {
      const response = await call(t.app, 'POST', '/v2/models/churn/infer', body)
      assert.equal(response.status, 400, JSON.stringify(response.body))
      conforms(Spec.error, response.body)
      assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
      assert.match(response.body.error, message)
    }
  })

  it('should refuse malformed JSON, a body over the serving limit and unknown endpoints with the spec\'s error body', async () => {
    const malformed = await call(t.app, 'POST', '/v2/models/churn/infer', '{"inputs": [')
    assert.equal(malformed.status, 400)
    assert.match(malformed.body.error, /Malformed JSON/)
    const big = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body(Array.from({ length: 1000 }, () => ROW)))
    assert.equal(big.status, 413)
    assert.equal(big.body.error_code, 'PAYLOAD_TOO_LARGE')
    const unknown = await call(t.app, 'GET', '/v2/repository/index')
    assert.equal(unknown.status, 404)
    conforms(Spec.error, unknown.body)
  })

  it('should count requests, failures, latency and batches in /metrics', async () => {
    const text = (await call(t.app, 'GET', '/metrics')).body as string
    assert.match(text, /plinth_inference_requests_total\{model="churn",version="2",deployment="",protocol="v2",outcome="ok"\} [1-9]/)
    assert.match(text, /plinth_inference_failures_total\{model="churn",version="2",deployment="",reason="bad_input"\} [1-9]/)
    assert.match(text, /plinth_inference_request_duration_seconds_count\{model="churn",version="2",deployment=""\} [1-9]/)
    assert.match(text, /plinth_inference_compute_duration_seconds_count\{model="churn",version="2"\} [1-9]/)
    assert.match(text, /plinth_inference_batch_size_rows_sum\{model="churn",version="2"\} [1-9]/)
    assert.match(text, /plinth_models_loaded [1-9]/)
    assert.match(text, /plinth_inference_in_flight_requests 0/)
  })
})

describe('every V2 datatype through onnxruntime', () => {
  const ELEM: Record<string, number> = { BOOL: 9, UINT8: 2, UINT16: 4, UINT32: 12, UINT64: 13, INT8: 3, INT16: 5, INT32: 6, INT64: 7, FP16: 10, FP32: 1, FP64: 11, BYTES: 8 }
  const VALUES: Record<string, unknown[]> = {
    BOOL: [true, false], UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], UINT64: [0, '18446744073709551615'],
    INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647], INT64: ['-9223372036854775808', 9007199254740991],
    FP16: [1.5, -65504], FP32: [0.5, 'Infinity'], FP64: [0.1, 'NaN'], BYTES: ['a', 'ü'],
  }
  let t: TestApp
  before(async () => {
    t = await createTestApp()
    const names = Object.keys(ELEM)
    const model = writeOnnxModel({
      inputs: names.map((d) => ({ name: `in_${d}`, elemType: ELEM[d]!, shape: [2] })),
      outputs: names.map((d) => ({ name: `out_${d}`, elemType: ELEM[d]!, shape: [2] })),
      nodes: names.map((d) => ({ opType: 'Identity', inputs: [`in_${d}`], outputs: [`out_${d}`] })),
    })
    await registerModels(t.services, 'all-types', [model])
  })
  after(() => t.close())

  it('should round-trip every datatype, 64-bit extremes and non-finite floats included', async () => {
    const inputs = Object.keys(ELEM).map((d) => ({ name: `in_${d}`, datatype: d, shape: [2], data: VALUES[d] }))
    const response = await call(t.app, 'POST', '/v2/models/all-types/infer', { inputs })
    assert.equal(response.status, 200, JSON.stringify(response.body))
    conforms(Spec.inferenceResponse, response.body)
    const byName = Object.fromEntries(response.body.outputs.map((o: { name: string; data: unknown[]; datatype: string }) => [o.name, o]))
    for (const d of Object.keys(ELEM)) assert.equal(byName[`out_${d}`].datatype, d)
    assert.deepEqual(byName.out_UINT64.data, [0, '18446744073709551615'])
    assert.deepEqual(byName.out_INT64.data, ['-9223372036854775808', 9007199254740991])
    assert.deepEqual(byName.out_FP32.data, [0.5, 'Infinity'])
    assert.deepEqual(byName.out_FP64.data, [0.1, 'NaN'])
    assert.deepEqual(byName.out_FP16.data, [1.5, -65504])
    assert.deepEqual(byName.out_BOOL.data, [true, false])
    assert.deepEqual(byName.out_BYTES.data, ['a', 'ü'])
  })
})

describe('inference routes on a server with --auth', () => {
  let t: TestApp
  let reader: string
  before(async () => {
    t = await createTestApp({ auth: true })
    reader = (await t.services.auth.createToken({ name: 'app', role: 'reader' })).secret
    await registerModels(t.services, 'churn', [unaryModel('Identity')])
  })
  after(() => t.close())

  it('should let a reader token infer, refuse a missing token, and keep probes public', async () => {
    const withToken = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([ROW]), { authorization: `Bearer ${reader}` })
    assert.equal(withToken.status, 200)
    const v1 = await call(t.app, 'POST', '/v1/models/churn:predict', { instances: [ROW] }, { authorization: `Bearer ${reader}` })
    assert.equal(v1.status, 200)
    const anonymous = await call(t.app, 'POST', '/v2/models/churn/infer', v2Body([ROW]))
    assert.equal(anonymous.status, 401)
    conforms(Spec.error, anonymous.body)
    assert.equal((await call(t.app, 'GET', '/v2/models/churn')).status, 401)
    assert.equal((await call(t.app, 'GET', '/v2/health/live')).status, 200)
    assert.equal((await call(t.app, 'GET', '/v2/health/ready')).status, 200)
  })
})
