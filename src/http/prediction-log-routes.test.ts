import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { call, createTestApp, type TestApp } from '../testing/test-services.js'

const URL = '/api/plinth/v1/prediction-logs'
const T0 = Date.UTC(2026, 10, 1)

function record(id: string, time: number, extra: Record<string, unknown> = {}) {
  return { prediction_id: id, model: 'fraud', version: '4', time, inputs: { amount: [12.5, 80], country: ['NO', 'FR'] }, outputs: { score: [0.1, 0.9] }, latency_ms: 3, ...extra }
}

describe('the prediction-log API', () => {
  let t: TestApp
  before(async () => {
    t = await createTestApp()
  })
  after(() => t.close())

  it('should store an ingested batch before answering and list it back', async () => {
    const batch = [record('a-1', T0), record('a-2', T0 + 1, { deployment: 'fraud-api', error: 'MODEL_TIMEOUT', outputs: {} }), record('a-3', T0 + 2, { rows: 1, inputs: { amount: [null] }, outputs: undefined, latency_ms: undefined })]
    const response = await call(t.app, 'POST', URL, { predictions: batch })
    assert.deepEqual([response.status, response.body], [200, { accepted: 3 }])
    const listed = await call(t.app, 'GET', `${URL}?model=fraud`)
    assert.equal(listed.status, 200)
    assert.deepEqual(listed.body.predictions, [
      { ...record('a-1', T0), rows: 2 },
      { ...record('a-2', T0 + 1, { deployment: 'fraud-api', error: 'MODEL_TIMEOUT', outputs: {} }), rows: 2 },
      { prediction_id: 'a-3', model: 'fraud', version: '4', time: T0 + 2, rows: 1, inputs: { amount: [null] }, outputs: {}, latency_ms: 0 },
    ])
  })

  it('should take a retried batch without doubling it', async () => {
    await call(t.app, 'POST', URL, { predictions: [record('a-1', T0), record('a-4', T0 + 3)] })
    const listed = await call(t.app, 'GET', `${URL}?model=fraud&max_results=100`)
    assert.deepEqual(listed.body.predictions.map((p: { prediction_id: string }) => p.prediction_id), ['a-1', 'a-2', 'a-3', 'a-4'])
  })

  it('should filter by version, deployment and time and page through', async () => {
    const ids = async (query: string) => (await call(t.app, 'GET', `${URL}?${query}`)).body.predictions.map((p: { prediction_id: string }) => p.prediction_id)
    assert.deepEqual(await ids('deployment=fraud-api'), ['a-2'])
    assert.deepEqual(await ids(`start_time=${T0 + 1}&end_time=${T0 + 3}`), ['a-2', 'a-3'])
    assert.deepEqual(await ids('version=5'), [])
    const first = await call(t.app, 'GET', `${URL}?max_results=3`)
    assert.equal(first.body.predictions.length, 3)
    const second = await call(t.app, 'GET', `${URL}?max_results=3&page_token=${encodeURIComponent(first.body.next_page_token)}`)
    assert.deepEqual(second.body.predictions.map((p: { prediction_id: string }) => p.prediction_id), ['a-4'])
    assert.equal(second.body.next_page_token, undefined)
  })

  const refusals: Array<[string, unknown, RegExp]> = [
    ['no predictions field', {}, /Missing value for required parameter 'predictions'/],
    ['an empty batch', { predictions: [] }, /"predictions" is empty/],
    ['a missing model', { predictions: [{ ...record('b-1', T0), model: undefined }] }, /'predictions\[0\]\.model'/],
    ['an unknown field', { predictions: [{ ...record('b-1', T0), colour: 'red' }] }, /Unknown parameter 'predictions\[0\]\.colour'/],
    ['a column of the wrong length', { predictions: [record('b-1', T0, { rows: 2, inputs: { amount: [1, 2, 3] } })] }, /predictions\[0\]\.inputs\["amount"\] has 3 values but the record has 2 rows/],
    ['an object as a value', { predictions: [record('b-1', T0, { inputs: { amount: [{}, 1] } })] }, /predictions\[0\]\.inputs\["amount"\]\[0\] must be a number, string, boolean or null; got \{\}/],
    ['a bad prediction id', { predictions: [record('has space', T0)] }, /predictions\[0\]\.prediction_id must be 1 to 64 visible ASCII/],
    ['a negative time', { predictions: [record('b-1', -5)] }, /predictions\[0\]\.time must be milliseconds since the epoch/],
    ['a fractional time', { predictions: [record('b-1', 1.5)] }, /predictions\[0\]\.time/],
    ['a negative latency', { predictions: [record('b-1', T0, { latency_ms: -1 })] }, /latency_ms must be a number ≥ 0/],
    ['an empty model name', { predictions: [record('b-1', T0, { model: '' })] }, /predictions\[0\]\.model must be 1 to 256 characters/],
  ]
  for (const [what, body, message] of refusals) {
    it(`should refuse ${what} with 400 and store nothing`, async () => {
      const response = await call(t.app, 'POST', URL, body)
      assert.equal(response.status, 400, JSON.stringify(response.body))
      assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
      assert.match(response.body.message, message)
      assert.equal((await call(t.app, 'GET', `${URL}?model=fraud&max_results=1000`)).body.predictions.length, 4)
    })
  }

  it('should refuse malformed JSON and bad listing parameters with 400', async () => {
    const malformed = await call(t.app, 'POST', URL, '{"predictions": [')
    assert.equal(malformed.status, 400)
    for (const [query, message] of [
      ['max_results=0', /max_results must be a whole number from 1 to 10000/],
      ['max_results=abc', /max_results/],
      ['start_time=-3', /start_time must be milliseconds/],
      ['page_token=garbage', /Invalid page token/],
      ['colour=red', /Unknown query parameter 'colour'/],
    ] as const) {
      const response = await call(t.app, 'GET', `${URL}?${query}`)
      assert.equal(response.status, 400, query)
      assert.match(response.body.message, message)
    }
  })
})
