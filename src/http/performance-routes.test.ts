import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { createServices, type Services } from '../app/services.js'
import { resolveConfig } from '../config/index.js'
import type { PredictionLog } from '../monitoring/prediction-log-store.js'
import { MemoryPredictionLogStore } from '../testing/memory-prediction-log-store.js'
import { call as rawCall } from '../testing/test-services.js'
import { createApp } from './create-app.js'

const API = '/api/plinth/v1'
const T0 = Date.UTC(2026, 5, 1)
const HOUR = 3_600_000

function log(id: string, time: number, label: number[], p1: number[]): PredictionLog {
  return {
    predictionId: id,
    model: 'churn',
    version: '3',
    deployment: 'churn-api',
    time,
    rows: label.length,
    inputs: { 'x[0]': label.map(() => 1) },
    outputs: { label, 'probabilities[0]': p1.map((p) => 1 - p), 'probabilities[1]': p1 },
    latencyMs: 2,
  }
}

describe('feedback and performance routes', () => {
  let app: FastifyInstance
  let services: Services
  let folder: string
  const statuses: number[] = []
  const call = async (...args: Parameters<typeof rawCall> extends [unknown, ...infer R] ? R : never) => {
    const response = await rawCall(app, ...args)
    statuses.push(response.status)
    return response
  }
  const expectError = async (status: number, code: string, message: RegExp, ...args: Parameters<typeof call>) => {
    const response = await call(...args)
    assert.equal(response.status, status, JSON.stringify(response.body))
    assert.equal(response.body.error_code, code)
    assert.match(response.body.message, message)
  }

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'plinth-perf-'))
    const logs = new MemoryPredictionLogStore()
    await logs.appendBatch([
      log('a', T0 + 1000, [1], [0.9]),
      log('b', T0 + 2000, [0], [0.2]),
      log('c', T0 + HOUR + 5, [1], [0.7]),
      log('batch', T0 + HOUR + 9, [1, 0, 0], [0.8, 0.4, 0.1]),
    ])
    const config = resolveConfig({ backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts') }, {})
    services = await createServices(config, { predictionLogs: logs })
    app = await createApp(services)
    await app.ready()
  })
  after(async () => {
    await app.close()
    await services.close()
    rmSync(folder, { recursive: true, force: true })
    assert.ok(statuses.every((s) => s < 500), `a request answered ${statuses.filter((s) => s >= 500).join(', ')}`)
  })

  it('should accept one label and answer the counts', async () => {
    const response = await call('POST', `${API}/feedback`, { prediction_id: 'a', label: 1 })
    assert.equal(response.status, 200, JSON.stringify(response.body))
    assert.deepEqual(response.body, { accepted: 1, unknown_count: 0, unknown_ids: [] })
  })

  it('should accept a batch, report unknown ids, and count them in /metrics', async () => {
    const response = await call('POST', `${API}/feedback`, {
      feedback: [
        { prediction_id: 'b', label: 1 },
        { prediction_id: 'c', label: 1 },
        { prediction_id: 'batch', label: [1, 1, null] },
        { prediction_id: 'gone', label: 0 },
      ],
    })
    assert.deepEqual(response.body, { accepted: 3, unknown_count: 1, unknown_ids: ['gone'] })
    const metrics = await services.metrics.registry.metrics()
    assert.match(metrics, /plinth_feedback_total\{outcome="unknown"\} 1/)
    assert.match(metrics, /plinth_feedback_total\{outcome="matched"\} 4/)
  })

  it('should answer performance per hour window with realized and estimated metrics', async () => {
    const response = await call('GET', `${API}/monitoring/performance?deployment=churn-api&window=hour&start_time=${T0}&end_time=${new Date(T0 + 2 * HOUR).toISOString()}`)
    assert.equal(response.status, 200, JSON.stringify(response.body))
    const [first, second] = response.body.windows
    assert.deepEqual([first.start_time, first.end_time, first.predictions, first.labeled], [T0, T0 + HOUR, 2, 2])
    assert.deepEqual([second.predictions, second.labeled], [4, 3])
    // Hour 1: a (1→1) and b (0, actual 1). Hour 2: c (1→1), batch rows (1→1, 0 vs actual 1); the third row unlabeled.
    assert.equal(first.metrics.accuracy, 0.5)
    assert.equal(second.metrics.accuracy, 2 / 3)
    assert.deepEqual(first.metrics.confusion_matrix, { labels: ['0', '1'], matrix: [[0, 0], [1, 1]] })
    assert.equal(typeof second.estimated.accuracy, 'number')
    assert.deepEqual(response.body.layout, { task: 'classification', prediction_column: 'label', probability_columns: ['probabilities[0]', 'probabilities[1]'], classes: ['0', '1'], positive_class: '1' })
  })

  it('should take explicit column options, repeated or comma-separated', async () => {
    const q = `model=churn&version=3&window=day&start_time=${T0}&end_time=${T0 + 86_400_000}&task=classification&prediction_column=label&probability_columns=probabilities[0],probabilities[1]&positive_class=1`
    const response = await call('GET', `${API}/monitoring/performance?${q}`)
    assert.equal(response.status, 200, JSON.stringify(response.body))
    assert.equal(response.body.windows.length, 1)
    assert.equal(response.body.windows[0].labeled, 5)
  })

  describe('bad input', () => {
    it('should answer 400 BAD_REQUEST for malformed JSON', async () => {
      await expectError(400, 'BAD_REQUEST', /Malformed JSON/, 'POST', `${API}/feedback`, '{"prediction_id": "a", "label": ')
    })

    it('should answer 400 naming a missing id, a missing label or an unknown field', async () => {
      await expectError(400, 'INVALID_PARAMETER_VALUE', /feedback\[1\]\.prediction_id/, 'POST', `${API}/feedback`, { feedback: [{ prediction_id: 'a', label: 1 }, { label: 1 }] })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Missing 'label'/, 'POST', `${API}/feedback`, { prediction_id: 'a' })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Unknown parameter 'labels'/, 'POST', `${API}/feedback`, { prediction_id: 'a', labels: 1 })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /No feedback given/, 'POST', `${API}/feedback`, {})
      await expectError(400, 'INVALID_PARAMETER_VALUE', /either/, 'POST', `${API}/feedback`, { prediction_id: 'a', label: 1, feedback: [] })
    })

    it('should answer 400 naming the id when the label arity differs from the logged rows', async () => {
      await expectError(400, 'INVALID_PARAMETER_VALUE', /'batch'.*3 rows/, 'POST', `${API}/feedback`, { prediction_id: 'batch', label: [1, 0] })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /'a'.*1 row/, 'POST', `${API}/feedback`, { prediction_id: 'a', label: [1, 0] })
    })

    it('should answer 400 for 10,001 labels in one request', async () => {
      const feedback = Array.from({ length: 10_001 }, (_, i) => ({ prediction_id: `p${i}`, label: 1 }))
      await expectError(400, 'INVALID_PARAMETER_VALUE', /at most 10000/, 'POST', `${API}/feedback`, { feedback })
    })

    it('should answer 400 for non-finite numbers and objects as labels', async () => {
      await expectError(400, 'INVALID_PARAMETER_VALUE', /finite/, 'POST', `${API}/feedback`, '{"prediction_id": "a", "label": 1e999}')
      await expectError(400, 'INVALID_PARAMETER_VALUE', /label\[1\].*finite/, 'POST', `${API}/feedback`, '{"prediction_id": "batch", "label": [1, -1e400, 0]}')
      await expectError(400, 'INVALID_PARAMETER_VALUE', /number, a string or a boolean/, 'POST', `${API}/feedback`, { prediction_id: 'a', label: { class: 1 } })
    })

    it('should answer 400 naming the query parameter for a bad window, time, task or missing target', async () => {
      const P = `${API}/monitoring/performance`
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Invalid window 'week'/, 'GET', `${P}?model=churn&window=week`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /shorter than a minute/, 'GET', `${P}?model=churn&window=5s`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Invalid start_time 'yesterday'/, 'GET', `${P}?model=churn&start_time=yesterday`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /task/, 'GET', `${P}?model=churn&task=ranking`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Give a model or a deployment/, 'GET', `${P}?window=day`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /at most 10000/, 'GET', `${P}?model=churn&window=1m&start_time=0&end_time=${T0}`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /no output column 'score'/, 'GET', `${P}?model=churn&start_time=${T0}&end_time=${T0 + HOUR}&prediction_column=score`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Unknown query parameter 'modle'/, 'GET', `${P}?modle=churn`)
    })
  })
})
