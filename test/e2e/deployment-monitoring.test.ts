import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { seededRandom } from '../../src/testing/seeded-random.js'
import { makeTempDir, okJson, removeTempDir, requestJson, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

/**
 * What a deployment's monitoring page is made of, through a real `plinth server` process and
 * nothing else: requests served and logged by the server itself (prediction ids chosen by the
 * caller), labels sent later as feedback, a monitor comparing the drifted traffic with a
 * reference window of earlier traffic, and then performance over time, drift per feature and
 * the alert in one API answer and in /metrics.
 */
const API = '/api/plinth/v1'
const MLFLOW = '/api/2.0/mlflow'
const REFERENCE = 200
const CURRENT = 200

describe('deployment monitoring through a real server', () => {
  let dir: string
  let server: PlinthServer
  const uniform = seededRandom(7)
  /** Standard normal draws (Box–Muller), so reference and current differ only by the shift. */
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  let referenceStart = 0
  let referenceEnd = 0

  /** One V2 request of one row, with the caller's prediction id; returns what the model answered. */
  const infer = async (id: string, x: number): Promise<number> => {
    const response = await requestJson(server.url, 'POST', '/v2/models/churn-api/infer', { id, inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [x] }] })
    assert.equal(response.status, 200, JSON.stringify(response.body))
    assert.equal(response.body.id, id)
    return response.body.outputs[0].data[0]
  }
  const loggedCount = async (): Promise<number> => {
    let count = 0
    let token = ''
    do {
      const page = await okJson(server.url, 'GET', `${API}/prediction-logs?deployment=churn-api&max_results=1000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`)
      count += page.predictions.length
      token = page.next_page_token ?? ''
    } while (token)
    return count
  }
  const waitForLogs = async (expected: number) => {
    for (let i = 0; i < 100 && (await loggedCount()) < expected; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(await loggedCount(), expected)
  }

  before(async () => {
    dir = await makeTempDir('deployment-monitoring')
    writeFileSync(join(dir, 'score.onnx'), unaryModel('Sigmoid', 1))
    server = await startServer(['--port', '0', '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')), '--artifacts-destination', join(dir, 'artifacts'), '--log-level', 'warn'])
    await okJson(server.url, 'POST', `${MLFLOW}/registered-models/create`, { name: 'churn' })
    await okJson(server.url, 'POST', `${MLFLOW}/model-versions/create`, { name: 'churn', source: join(dir, 'score.onnx') })
    await okJson(server.url, 'POST', `${API}/deployments`, { name: 'churn-api', routes: [{ model: 'churn', version: '1', weight: 100 }] })
  })

  after(async () => {
    await server?.stop()
    await removeTempDir(dir)
  })

  it('should log every served request under the caller\'s prediction id', async () => {
    referenceStart = Date.now()
    for (let i = 0; i < REFERENCE; i++) await infer(`ref-${i}`, normal())
    referenceEnd = Date.now() + 1
    await waitForLogs(REFERENCE)
    // The current window starts after the reference ends, with nothing of the reference in it.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    for (let i = 0; i < CURRENT; i++) await infer(`cur-${i}`, 3 + normal())
    await waitForLogs(REFERENCE + CURRENT)
  })

  it('should join late labels by prediction id and count unknown ones', async () => {
    // Labels are the model's own score plus a known error, so the realized MAE is that error.
    const logs = await okJson(server.url, 'GET', `${API}/prediction-logs?deployment=churn-api&start_time=${referenceEnd}&max_results=1000`)
    const feedback = logs.predictions.map((p: any) => ({ prediction_id: p.prediction_id, label: p.outputs['y[0]'][0] + 0.25 }))
    assert.equal(feedback.length, CURRENT)
    const answer = await okJson(server.url, 'POST', `${API}/feedback`, { feedback: [...feedback, { prediction_id: 'never-served', label: 1 }] })
    assert.deepEqual(answer, { accepted: CURRENT, unknown_count: 1, unknown_ids: ['never-served'] })
  })

  it('should show performance over time, drift per feature and the alert for the deployment', async () => {
    await okJson(server.url, 'POST', `${API}/monitors`, {
      name: 'churn-watch',
      deployment: 'churn-api',
      schedule: { every: '1h' },
      window: '1m',
      reference: { start: referenceStart, end: referenceEnd },
      conditions: [{ type: 'drift_share', threshold: 0.5 }, { type: 'no_traffic', min_requests: 1 }],
    })
    const run = await okJson(server.url, 'POST', `${API}/monitors/churn-watch/run`)
    assert.ok(run, 'a run result')

    const page = await okJson(server.url, 'GET', `${API}/deployments/churn-api/monitoring?start_time=${referenceStart - 3_600_000}`)
    const labeled = page.performance_over_time.windows.filter((w: any) => w.labeled > 0)
    assert.equal(labeled.reduce((n: number, w: any) => n + w.labeled, 0), CURRENT)
    for (const w of labeled) {
      assert.equal(w.task, 'regression')
      assert.ok(Math.abs(w.metrics.mae - 0.25) < 1e-6, `mae ${w.metrics.mae}`)
    }
    const feature = page.latest_drift.features.find((f: any) => f.feature === 'x[0]' || f.column === 'x[0]')
    assert.ok(feature, JSON.stringify(page.latest_drift))
    assert.equal(feature.drift, true)
    assert.ok(page.drift_over_time['x[0]'].length >= 1)
    assert.deepEqual(page.alerts.firing.map((a: any) => a.condition_type), ['drift_share'])

    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    assert.match(metrics, /plinth_drift_detected\{deployment="churn-api",model="churn",feature="x\[0\]",method="[a-z_]+"\} 1/)
    assert.match(metrics, /plinth_alerts_firing\{monitor="churn-watch",condition="drift_share",deployment="churn-api"\} 1/)
    assert.match(metrics, /plinth_prediction_logs_total\{outcome="logged"\} 400/)
    assert.match(metrics, /plinth_feedback_total\{outcome="unknown"\} 1/)
  })
})
