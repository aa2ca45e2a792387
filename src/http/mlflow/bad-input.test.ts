import assert from 'node:assert/strict'
import { seededRandom } from '../../testing/seeded-random.js'
import { after, before, describe, it } from 'node:test'
import { call, createTestApp, type TestApp } from '../../testing/test-services.js'

/**
 * Whatever a client sends, the answer is a 4xx in MLflow's `{error_code, message}` shape whose
 * message names the problem: never a 5xx, never an HTML page, never a hung request.
 */
const API = '/api/2.0/mlflow'

type Response = Awaited<ReturnType<typeof call>>

function assertClientError(response: Response, status: number, errorCode: string, message?: RegExp | string): void {
  const context = `${response.status} ${JSON.stringify(response.body)}`
  assert.equal(response.status, status, context)
  assert.equal(typeof response.body, 'object', `not a JSON body: ${context}`)
  assert.equal(response.body.error_code, errorCode, context)
  assert.equal(typeof response.body.message, 'string', context)
  if (typeof message === 'string') assert.ok(response.body.message.includes(message), `message lacks '${message}': ${context}`)
  else if (message) assert.match(response.body.message, message, context)
}

describe('MLflow tracking API with bad input', () => {
  let t: TestApp
  let experimentId: string
  let runId: string
  const post = (path: string, body: unknown, headers?: Record<string, string>) => call(t.app, 'POST', `${API}${path}`, body, headers)
  const get = (path: string) => call(t.app, 'GET', `${API}${path}`)

  before(async () => {
    t = await createTestApp()
    const experiment = await post('/experiments/create', { name: 'bad-input' })
    experimentId = experiment.body.experiment_id
    const run = await post('/runs/create', { experiment_id: experimentId })
    runId = run.body.run.info.run_id
  })
  after(async () => {
    await t.close()
  })

  describe('malformed bodies', () => {
    it('should answer 400 BAD_REQUEST for malformed JSON', async () => {
      assertClientError(await post('/runs/log-batch', '{"run_id": "abc", "metrics": ['), 400, 'BAD_REQUEST', /Malformed JSON/)
      assertClientError(await post('/experiments/create', "{name: 'unquoted'}"), 400, 'BAD_REQUEST', /Malformed JSON/)
    })

    it('should answer 400 BAD_REQUEST for a body that is a JSON array, number or null', async () => {
      for (const body of ['[{"run_id": "x"}]', '42', 'null', 'true']) {
        assertClientError(await post('/runs/log-batch', body), 400, 'BAD_REQUEST', /must be a JSON object/)
      }
    })

    it('should accept a body that is a JSON object encoded once more as a JSON string (as MLflow does)', async () => {
      const response = await post('/runs/set-tag', JSON.stringify(JSON.stringify({ run_id: runId, key: 'double', value: 'encoded' })))
      assert.equal(response.status, 200, JSON.stringify(response.body))
    })

    it('should refuse a POST declared as text/plain with INVALID_PARAMETER_VALUE', async () => {
      const response = await post('/runs/log-metric', JSON.stringify({ run_id: runId, key: 'a', value: 1, timestamp: 1 }), { 'content-type': 'text/plain' })
      assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', 'Content-Type must be one of [application/json]')
      assert.match(response.body.message, /text\/plain/)
    })

    it('should accept application/json with a charset parameter', async () => {
      const response = await post('/runs/set-tag', JSON.stringify({ run_id: runId, key: 'cs', value: 'utf8' }), { 'content-type': 'application/json; charset=utf-8' })
      assert.equal(response.status, 200, JSON.stringify(response.body))
    })

    it('should answer 413 PAYLOAD_TOO_LARGE for a JSON body over the limit', async () => {
      const small = await createTestApp({ jsonBodyLimit: 2048 })
      try {
        const run = await call(small.app, 'POST', `${API}/runs/create`, {})
        assert.equal(run.status, 200)
        const tags = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(40) }))
        const response = await call(small.app, 'POST', `${API}/runs/log-batch`, { run_id: run.body.run.info.run_id, tags })
        assertClientError(response, 413, 'PAYLOAD_TOO_LARGE', /larger than/)
        const fine = await call(small.app, 'POST', `${API}/runs/log-batch`, { run_id: run.body.run.info.run_id, tags: tags.slice(0, 2) })
        assert.equal(fine.status, 200)
      } finally {
        await small.close()
      }
    })
  })

  describe('wrong types and missing fields', () => {
    it('should refuse a timestamp that is not an integer, naming the field', async () => {
      assertClientError(await post('/runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: 'abc' }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/)
      assertClientError(await post('/runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: 1.5 }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/)
      assertClientError(
        await post('/runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1, timestamp: 'abc' }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        /metrics\[0\]\.timestamp/,
      )
    })

    it('should refuse a negative timestamp', async () => {
      assertClientError(await post('/runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: -1 }), 400, 'INVALID_PARAMETER_VALUE', /timestamp/)
    })

    it('should refuse metrics that are not a list of metrics', async () => {
      assertClientError(await post('/runs/log-batch', { run_id: runId, metrics: 'x' }), 400, 'INVALID_PARAMETER_VALUE', /metrics/)
      assertClientError(await post('/runs/log-batch', { run_id: runId, metrics: { key: 'a' } }), 400, 'INVALID_PARAMETER_VALUE', /metrics/)
      assertClientError(await post('/runs/log-batch', { run_id: runId, params: [42] }), 400, 'INVALID_PARAMETER_VALUE', /params\[0\]/)
    })

    it('should refuse metric values that are not numbers (booleans, words, objects, null)', async () => {
      for (const value of [true, false, 'abc', '', { n: 1 }, [1], null]) {
        const single = await post('/runs/log-metric', { run_id: runId, key: 'typed', value, timestamp: 1 })
        assertClientError(single, 400, 'INVALID_PARAMETER_VALUE', /value/)
        const batch = await post('/runs/log-batch', { run_id: runId, metrics: [{ key: 'typed', value, timestamp: 1 }] })
        assertClientError(batch, 400, 'INVALID_PARAMETER_VALUE', /metrics\[0\]\.value/)
      }
      const history = await get(`/metrics/get-history?run_id=${runId}&metric_key=typed`)
      assert.deepEqual(history.body, {}, 'a refused metric was stored')
    })

    it('should accept a metric value sent as a numeric string, as protobuf’s JSON parser does', async () => {
      assert.equal((await post('/runs/log-metric', { run_id: runId, key: 'numeric-string', value: '0.5', timestamp: 1 })).status, 200)
      const history = await get(`/metrics/get-history?run_id=${runId}&metric_key=numeric-string`)
      assert.equal(history.body.metrics[0].value, 0.5)
    })

    it('should say "Missing value for required parameter" and name the field', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['/runs/log-metric', { run_id: runId, value: 1, timestamp: 1 }, 'key'],
        ['/runs/log-metric', { run_id: runId, key: 'a', timestamp: 1 }, 'value'],
        ['/runs/log-metric', { run_id: runId, key: 'a', value: 1 }, 'timestamp'],
        ['/runs/log-metric', { key: 'a', value: 1, timestamp: 1 }, 'run_id'],
        ['/runs/log-parameter', { run_id: runId, key: 'a' }, 'value'],
        ['/runs/set-tag', { run_id: runId, value: 'v' }, 'key'],
        ['/runs/log-batch', {}, 'run_id'],
        ['/runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1 }] }, 'metrics[0].timestamp'],
        ['/runs/update', { status: 'FINISHED' }, 'run_id'],
        ['/runs/delete', {}, 'run_id'],
        ['/experiments/create', {}, 'name'],
        ['/experiments/create', { name: '' }, 'name'],
        ['/experiments/delete', {}, 'experiment_id'],
        ['/experiments/update', { experiment_id: experimentId }, 'new_name'],
        ['/experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k' }, 'value'],
      ]
      for (const [path, body, field] of cases) {
        const response = await post(path, body)
        assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', 'Missing value for required parameter')
        assert.ok(response.body.message.includes(`'${field}'`), `${path} without ${field}: ${response.body.message}`)
      }
    })

    it('should say which query parameter is missing on GET endpoints', async () => {
      const cases: Array<[string, string]> = [
        ['/runs/get', 'run_id'],
        ['/experiments/get', 'experiment_id'],
        ['/experiments/get-by-name', 'experiment_name'],
        [`/metrics/get-history?run_id=${runId}`, 'metric_key'],
        [`/metrics/get-history?metric_key=a`, 'run_id'],
        [`/metrics/get-history-bulk-interval?metric_key=a`, 'run_ids'],
      ]
      for (const [path, field] of cases) {
        const response = await get(path)
        assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', 'Missing value for required')
        assert.ok(response.body.message.includes(field), `${path}: ${response.body.message}`)
      }
    })

    it('should refuse an unknown run status and view type', async () => {
      assertClientError(await post('/runs/update', { run_id: runId, status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE', /status/)
      assertClientError(await post('/runs/update', { run_id: runId, status: 9 }), 400, 'INVALID_PARAMETER_VALUE', /status/)
      assertClientError(await post('/runs/search', { experiment_ids: [experimentId], run_view_type: 'SOME' }), 400, 'INVALID_PARAMETER_VALUE', /view_type/)
    })
  })

  describe('unknown and inactive resources', () => {
    it('should answer 404 RESOURCE_DOES_NOT_EXIST "Run with id=… not found" for an unknown run', async () => {
      const unknown = 'a'.repeat(32)
      const expected = `Run with id=${unknown} not found`
      assertClientError(await get(`/runs/get?run_id=${unknown}`), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
      assertClientError(await post('/runs/log-metric', { run_id: unknown, key: 'a', value: 1, timestamp: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
      assertClientError(await post('/runs/log-batch', { run_id: unknown, params: [{ key: 'a', value: 'b' }] }), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
      assertClientError(await post('/runs/update', { run_id: unknown, status: 'FINISHED' }), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
      assertClientError(await post('/runs/delete', { run_id: unknown }), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
      assertClientError(await get(`/metrics/get-history?run_id=${unknown}&metric_key=a`), 404, 'RESOURCE_DOES_NOT_EXIST', expected)
    })

    it('should answer 404 for an unknown experiment, by id and by name, and when creating a run in it', async () => {
      assertClientError(await get('/experiments/get?experiment_id=987654321'), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=987654321 exists')
      assertClientError(await get('/experiments/get-by-name?experiment_name=nobody-made-this'), 404, 'RESOURCE_DOES_NOT_EXIST', /nobody-made-this/)
      assertClientError(await post('/runs/create', { experiment_id: '987654321' }), 404, 'RESOURCE_DOES_NOT_EXIST', /987654321/)
      assertClientError(await post('/experiments/delete', { experiment_id: '987654321' }), 404, 'RESOURCE_DOES_NOT_EXIST', /987654321/)
    })

    it('should answer 400 RESOURCE_ALREADY_EXISTS for a duplicate experiment name, on create and on rename', async () => {
      assertClientError(await post('/experiments/create', { name: 'bad-input' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Experiment(name=bad-input) already exists')
      const other = await post('/experiments/create', { name: 'bad-input-other' })
      assertClientError(await post('/experiments/update', { experiment_id: other.body.experiment_id, new_name: 'bad-input' }), 400, 'RESOURCE_ALREADY_EXISTS', /bad-input/)
    })

    it('should refuse to change a logged param value, and keep the first value', async () => {
      assert.equal((await post('/runs/log-parameter', { run_id: runId, key: 'frozen', value: 'one' })).status, 200)
      assertClientError(await post('/runs/log-parameter', { run_id: runId, key: 'frozen', value: 'two' }), 400, 'INVALID_PARAMETER_VALUE', 'Changing param values is not allowed')
      assertClientError(await post('/runs/log-batch', { run_id: runId, params: [{ key: 'frozen', value: 'three' }] }), 400, 'INVALID_PARAMETER_VALUE', 'Changing param values is not allowed')
      const run = await get(`/runs/get?run_id=${runId}`)
      assert.deepEqual(run.body.run.data.params.filter((p: any) => p.key === 'frozen'), [{ key: 'frozen', value: 'one' }])
    })

    it('should refuse two different values for one param in one batch, storing nothing of it', async () => {
      const response = await post('/runs/log-batch', {
        run_id: runId,
        metrics: [{ key: 'atomic', value: 1, timestamp: 1 }],
        params: [
          { key: 'twice', value: 'a' },
          { key: 'twice', value: 'b' },
        ],
      })
      assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', /Duplicate parameter keys/)
      assert.deepEqual((await get(`/metrics/get-history?run_id=${runId}&metric_key=atomic`)).body, {})
    })

    it('should refuse to log to a deleted run, and accept again after restore', async () => {
      const run = await post('/runs/create', { experiment_id: experimentId })
      const id = run.body.run.info.run_id
      assert.equal((await post('/runs/delete', { run_id: id })).status, 200)
      const response = await post('/runs/log-metric', { run_id: id, key: 'a', value: 1, timestamp: 1 })
      assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/)
      assertClientError(await post('/runs/set-tag', { run_id: id, key: 'k', value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /active/)
      assert.equal((await post('/runs/restore', { run_id: id })).status, 200)
      assert.equal((await post('/runs/log-metric', { run_id: id, key: 'a', value: 1, timestamp: 1 })).status, 200)
    })

    it('should refuse to create a run in a deleted experiment with a 4xx', async () => {
      const experiment = await post('/experiments/create', { name: 'deleted-home' })
      const id = experiment.body.experiment_id
      assert.equal((await post('/experiments/delete', { experiment_id: id })).status, 200)
      const response = await post('/runs/create', { experiment_id: id })
      assertClientError(response, 400, 'INVALID_STATE', /must be in the 'active' state/)
      assert.match(response.body.message, new RegExp(id))
    })

    it('should answer 404 ENDPOINT_NOT_FOUND as JSON for an unknown endpoint', async () => {
      for (const [method, path] of [
        ['GET', `${API}/runs/nope`],
        ['POST', `${API}/experiments/frobnicate`],
        ['GET', '/api/2.0/mlflow'],
        ['DELETE', `${API}/runs/create`],
        ['GET', '/totally/unknown'],
      ] as const) {
        const response = await call(t.app, method, path)
        assertClientError(response, 404, 'ENDPOINT_NOT_FOUND', path)
        assert.match(String(response.headers['content-type']), /application\/json/)
      }
    })
  })

  describe('limits', () => {
    const metric = (i: number) => ({ key: `m${i}`, value: i, timestamp: 1 })

    it('should refuse 1001 metrics, 101 params or 101 tags in one batch, saying "at most"', async () => {
      const metrics = Array.from({ length: 1001 }, (_, i) => metric(i))
      assertClientError(await post('/runs/log-batch', { run_id: runId, metrics }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/)
      const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }))
      assertClientError(await post('/runs/log-batch', { run_id: runId, params }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/)
      const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' }))
      assertClientError(await post('/runs/log-batch', { run_id: runId, tags }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 tags/)
      const mixed = { run_id: runId, metrics: metrics.slice(0, 950), params: params.slice(0, 50), tags: tags.slice(0, 1) }
      assertClientError(await post('/runs/log-batch', mixed), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics, params, and tags/)
      assert.deepEqual((await get(`/metrics/get-history?run_id=${runId}&metric_key=m0`)).body, {}, 'a refused batch was partly stored')
    })

    it('should accept exactly 1000 metrics, 100 params and 100 tags in separate batches', async () => {
      const run = await post('/runs/create', { experiment_id: experimentId })
      const id = run.body.run.info.run_id
      assert.equal((await post('/runs/log-batch', { run_id: id, metrics: Array.from({ length: 1000 }, (_, i) => metric(i)) })).status, 200)
      assert.equal((await post('/runs/log-batch', { run_id: id, params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v' })) })).status, 200)
      assert.equal((await post('/runs/log-batch', { run_id: id, tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'v' })) })).status, 200)
    })

    it('should refuse a key of 251 characters and accept one of 250', async () => {
      const long = 'k'.repeat(251)
      assertClientError(await post('/runs/log-metric', { run_id: runId, key: long, value: 1, timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /length 251.*limit of 250/)
      assertClientError(await post('/runs/log-parameter', { run_id: runId, key: long, value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /length limit of 250/)
      assertClientError(await post('/runs/set-tag', { run_id: runId, key: long, value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /length limit of 250/)
      assert.equal((await post('/runs/log-metric', { run_id: runId, key: 'k'.repeat(250), value: 1, timestamp: 1 })).status, 200)
    })

    it('should refuse a run user over 256 characters (the column size PostgreSQL enforces) and accept 256', async () => {
      const tooLong = 'u'.repeat(257)
      assertClientError(await post('/runs/create', { experiment_id: experimentId, user_id: tooLong }), 400, 'INVALID_PARAMETER_VALUE', /user_id.*length 257.*limit of 256/)
      assertClientError(await post('/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.user', value: tooLong }] }), 400, 'INVALID_PARAMETER_VALUE', /mlflow\.user.*limit of 256/)
      assert.equal((await post('/runs/create', { experiment_id: experimentId, user_id: 'u'.repeat(256) })).status, 200)
    })

    it('should refuse a param value of 6001 characters and a tag value of 8001', async () => {
      assertClientError(await post('/runs/log-parameter', { run_id: runId, key: 'big', value: 'x'.repeat(6001) }), 400, 'INVALID_PARAMETER_VALUE', /length 6001.*limit of 6000/)
      assertClientError(await post('/runs/set-tag', { run_id: runId, key: 'big', value: 'x'.repeat(8001) }), 400, 'INVALID_PARAMETER_VALUE', /length 8001.*limit of 8000/)
      assertClientError(
        await post('/runs/log-batch', { run_id: runId, tags: [{ key: 'big', value: 'x'.repeat(8001) }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        /limit of 8000/,
      )
      assert.equal((await post('/runs/log-parameter', { run_id: runId, key: 'big-ok', value: 'x'.repeat(6000) })).status, 200)
      assert.equal((await post('/runs/set-tag', { run_id: runId, key: 'big-ok', value: 'x'.repeat(8000) })).status, 200)
    })

    it('should refuse keys that are paths or use characters outside MLflow’s set', async () => {
      for (const key of ['../escape', 'a/../../b', '/absolute', 'a/./b', 'semi;colon', 'new\nline']) {
        const response = await post('/runs/log-metric', { run_id: runId, key, value: 1, timestamp: 1 })
        assertClientError(response, 400, 'INVALID_PARAMETER_VALUE', /Invalid metric name/)
        assertClientError(await post('/runs/log-parameter', { run_id: runId, key, value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid param name/)
      }
      assertClientError(await post('/runs/delete-tag', { run_id: runId, key: '../x' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid tag name/)
    })
  })

  describe('search input', () => {
    const search = (body: Record<string, unknown>) => post('/runs/search', { experiment_ids: [experimentId], ...body })

    it('should refuse filters with OR, an unterminated quote or an unknown comparator', async () => {
      assertClientError(await search({ filter: 'metrics.a > 1 OR metrics.b < 2' }), 400, 'INVALID_PARAMETER_VALUE', /OR is not supported/)
      assertClientError(await search({ filter: "params.model = 'lr" }), 400, 'INVALID_PARAMETER_VALUE', /unterminated string/)
      assertClientError(await search({ filter: 'metrics.a ~ 1' }), 400, 'INVALID_PARAMETER_VALUE', /comparator/)
      assertClientError(await search({ filter: 'metrics.a >> 1' }), 400, 'INVALID_PARAMETER_VALUE', /comparator/)
      assertClientError(await search({ filter: "metrics.a = 'text'" }), 400, 'INVALID_PARAMETER_VALUE', /filter|metric/i)
      assertClientError(await search({ filter: 'nonsense.key = 1' }), 400, 'INVALID_PARAMETER_VALUE', /nonsense/)
      assertClientError(await search({ filter: 'metrics.a > 1 and' }), 400, 'INVALID_PARAMETER_VALUE', /filter|clause/i)
      assertClientError(await post('/experiments/search', { filter: 'name ~ 1' }), 400, 'INVALID_PARAMETER_VALUE', /comparator/)
    })

    it('should refuse a bad order_by', async () => {
      assertClientError(await search({ order_by: ['foo bar baz'] }), 400, 'INVALID_PARAMETER_VALUE', /order_by/)
      assertClientError(await search({ order_by: ['metrics.acc SIDEWAYS'] }), 400, 'INVALID_PARAMETER_VALUE', /SIDEWAYS|order/i)
      assertClientError(await post('/experiments/search', { order_by: ['nope DESC'] }), 400, 'INVALID_PARAMETER_VALUE', /nope/)
    })

    it('should refuse a tampered page_token', async () => {
      const tampered = ['zzzz', Buffer.from('{"offset": -5}').toString('base64'), Buffer.from('{"offset": "x"}').toString('base64'), Buffer.from('[]').toString('base64')]
      for (const token of tampered) {
        assertClientError(await search({ page_token: token }), 400, 'INVALID_PARAMETER_VALUE', /Invalid page token/)
      }
      assertClientError(await get('/experiments/search?page_token=%%%'), 400, 'INVALID_PARAMETER_VALUE', /Invalid page token/)
      assertClientError(await get(`/metrics/get-history?run_id=${runId}&metric_key=a&page_token=bogus`), 400, 'INVALID_PARAMETER_VALUE', /Invalid page token/)
    })

    it('should refuse max_results of 50001 (or 0, or negative) for search-runs and accept 50000', async () => {
      assertClientError(await search({ max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /at most 50000/)
      assertClientError(await search({ max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/)
      assertClientError(await search({ max_results: -3 }), 400, 'INVALID_PARAMETER_VALUE', /max_results/)
      assertClientError(await search({ max_results: 'many' }), 400, 'INVALID_PARAMETER_VALUE', /max_results/)
      assert.equal((await search({ max_results: 50000 })).status, 200)
      assertClientError(await get('/experiments/search?max_results=50001'), 400, 'INVALID_PARAMETER_VALUE', /max_results/)
    })
  })

  describe('randomized garbage', () => {
    const ENDPOINTS: Record<string, string[]> = {
      '/experiments/create': ['name', 'artifact_location', 'tags'],
      '/experiments/search': ['max_results', 'page_token', 'filter', 'order_by', 'view_type'],
      '/experiments/delete': ['experiment_id'],
      '/experiments/restore': ['experiment_id'],
      '/experiments/update': ['experiment_id', 'new_name'],
      '/experiments/set-experiment-tag': ['experiment_id', 'key', 'value'],
      '/experiments/delete-experiment-tag': ['experiment_id', 'key'],
      '/runs/create': ['experiment_id', 'user_id', 'run_name', 'start_time', 'tags'],
      '/runs/update': ['run_id', 'run_uuid', 'status', 'end_time', 'run_name'],
      '/runs/delete': ['run_id', 'run_uuid'],
      '/runs/restore': ['run_id', 'run_uuid'],
      '/runs/log-metric': ['run_id', 'run_uuid', 'key', 'value', 'timestamp', 'step'],
      '/runs/log-parameter': ['run_id', 'run_uuid', 'key', 'value'],
      '/runs/set-tag': ['run_id', 'run_uuid', 'key', 'value'],
      '/runs/delete-tag': ['run_id', 'run_uuid', 'key'],
      '/runs/log-batch': ['run_id', 'run_uuid', 'metrics', 'params', 'tags'],
      '/runs/log-inputs': ['run_id', 'run_uuid', 'datasets'],
      '/runs/search': ['experiment_ids', 'filter', 'run_view_type', 'max_results', 'order_by', 'page_token'],
    }

    it('should never answer 5xx to ~2,000 garbage requests, and still log afterwards', async () => {
      const seed = Number(process.env.PLINTH_FUZZ_SEED ?? 20240611)
      const random = seededRandom(seed)
      const int = (n: number) => Math.floor(random() * n)
      const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
      const fuzzRun = await post('/runs/create', { experiment_id: experimentId })
      const liveRun: string = fuzzRun.body.run.info.run_id
      const fuzzExperiment = await post('/experiments/create', { name: 'fuzz-target' })
      const liveExperiment: string = fuzzExperiment.body.experiment_id

      const randomString = (): string => {
        const alphabets = ['abcxyz', '0123456789', ' ./_-', '\'"\\%*()=<>!', '\u0000\u0007\n\t', 'é漢字😀\ud800', '{}[],:']
        const length = pick([0, 1, 3, 10, 40, 300])
        let out = ''
        for (let i = 0; i < length; i++) {
          const alphabet = pick(alphabets)
          out += alphabet[int(alphabet.length)]
        }
        return out
      }
      const randomValue = (depth: number): unknown => {
        switch (int(depth > 2 ? 9 : 12)) {
          case 0: return randomString()
          case 1: return int(2) ? int(1000) : -int(1000)
          case 2: return pick([0, -0, 1.5, -1e308, 1e308, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 1e-320, 123456789012345678901234567890])
          case 3: return pick([true, false])
          case 4: return null
          case 5: return pick(['NaN', 'Infinity', '-Infinity', '1e400', '0x10', '  5 ', '1700000000000', '-1', '3'])
          case 6: return pick([liveRun, liveExperiment, '0', 'a'.repeat(32), '../..', ''])
          case 7: return pick(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL', 'FINISHED', 'RUNNING', 2, 3, 7])
          case 8: return pick(["metrics.a > 1", "params.x = 'y'", "name LIKE '%'", 'metrics.a DESC', "tags.'a b' = 'c'", 'attributes.start_time < 5'])
          case 9: return Array.from({ length: int(4) }, () => randomValue(depth + 1))
          case 10: return Array.from({ length: int(3) }, () => randomObject(['key', 'value', 'timestamp', 'step', 'dataset', 'tags', 'name', 'digest'], depth + 1))
          default: return randomObject(['key', 'value', 'timestamp', 'step', 'name', 'source', 'source_type'], depth + 1)
        }
      }
      function randomObject(fields: string[], depth: number): Record<string, unknown> {
        const out: Record<string, unknown> = {}
        for (const field of fields) if (random() < 0.6) out[field] = randomValue(depth)
        if (random() < 0.1) out[randomString()] = randomValue(depth)
        if (random() < 0.05) out['__proto__'] = { polluted: true }
        return out
      }
      const wellFormed = (fields: string[]): Record<string, unknown> => {
        // Mostly-valid bodies, so garbage also reaches the service and store layers.
        const out: Record<string, unknown> = { run_id: liveRun, experiment_id: liveExperiment, key: 'fuzz', value: '1', timestamp: 1, step: 0, name: `fuzz-${int(1e9)}` }
        const chosen = pick(fields)
        const body = Object.fromEntries(Object.entries(out).filter(([k]) => fields.includes(k)))
        body[chosen] = randomValue(0)
        if (fields.includes('metrics')) body.metrics = [{ key: 'fuzz', value: randomValue(1), timestamp: randomValue(1), step: randomValue(1) }]
        return body
      }

      const paths = Object.keys(ENDPOINTS)
      const failures: string[] = []
      const statuses = new Map<number, number>()
      const total = Number(process.env.PLINTH_FUZZ_COUNT ?? 2000)
      for (let i = 0; i < total; i++) {
        const path = pick(paths)
        const fields = ENDPOINTS[path]!
        let payload: string | Buffer
        let contentType: string | undefined = 'application/json'
        const kind = int(6)
        if (kind === 0) {
          payload = Buffer.from(Array.from({ length: int(200) }, () => int(256)))
        } else if (kind === 1) {
          const text = JSON.stringify(randomObject(fields, 0))
          payload = text.slice(0, int(text.length + 1))
        } else if (kind === 2) {
          payload = JSON.stringify(wellFormed(fields))
        } else if (kind === 3) {
          payload = JSON.stringify(randomValue(0))
        } else {
          payload = JSON.stringify(randomObject(fields, 0))
        }
        if (random() < 0.05) contentType = pick([undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', ''])
        const headers: Record<string, string> = {}
        if (contentType !== undefined) headers['content-type'] = contentType
        const response = await t.app.inject({ method: 'POST', url: `${pick(['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'])}${path}`, payload, headers })
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
        if (response.statusCode >= 500) {
          failures.push(`#${i} POST ${path} (${contentType}) ${String(payload).slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`)
          continue
        }
        if (response.statusCode !== 200) {
          let parsed: any
          try {
            parsed = JSON.parse(response.body)
          } catch {
            failures.push(`#${i} POST ${path}: non-JSON ${response.statusCode} body ${response.body.slice(0, 200)}`)
            continue
          }
          if (typeof parsed?.error_code !== 'string' || typeof parsed?.message !== 'string' || parsed.message.length === 0) {
            failures.push(`#${i} POST ${path}: error without error_code/message: ${response.body.slice(0, 200)}`)
          }
        }
      }
      assert.deepEqual(failures, [], `seed ${seed}: ${failures.length} bad answers`)
      assert.ok((statuses.get(400) ?? 0) > total / 3, `expected mostly 400s, got ${JSON.stringify([...statuses])}`)
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'a body polluted Object.prototype')

      // The server is still healthy: a correct batch to a fresh run lands in full.
      const after = await post('/runs/create', { experiment_id: '0' })
      assert.equal(after.status, 200)
      const id = after.body.run.info.run_id
      const batch = {
        run_id: id,
        metrics: Array.from({ length: 50 }, (_, step) => ({ key: 'after-fuzz', value: step / 2, timestamp: 1700000000000 + step, step })),
        params: [{ key: 'p', value: 'v' }],
        tags: [{ key: 't', value: 'v' }],
      }
      assert.equal((await post('/runs/log-batch', batch)).status, 200)
      const history = await get(`/metrics/get-history?run_id=${id}&metric_key=after-fuzz`)
      assert.equal(history.body.metrics.length, 50)
      const run = await get(`/runs/get?run_id=${id}`)
      assert.deepEqual(run.body.run.data.params, [{ key: 'p', value: 'v' }])
    })
  })
})
