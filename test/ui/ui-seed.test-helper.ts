import type { FastifyInstance } from 'fastify'
import { writeOnnxModel } from '../../src/serving/onnx/onnx-model-writer.test-helper.js'
import { seededRandom } from '../../src/testing/seeded-random.js'
import { type SeededPipeline, seedPipeline } from './ui-pipeline-seed.test-helper.js'

/**
 * Data for the UI's browser tests, screenshots and benchmark, written through the same HTTP API
 * a person's clients use: an experiment of runs with params, metric histories and an ONNX
 * artifact; a registered model with aliases; a canary deployment with a shadow; real inference
 * traffic with late labels; and a monitor run as drift grows, so every page has something real.
 */
const MLFLOW = '/api/2.0/mlflow'
const API = '/api/plinth/v1'
export const SEEDED = { experiment: 'churn', model: 'churn', deployment: 'churn-api' } as const
const FEATURES = ['tenure', 'spend', 'tickets', 'age']
const FP32 = 1

/** Four named inputs, one score: churn probability as the sigmoid of tenure (the rest only drift). */
function churnModel(): Uint8Array {
  return writeOnnxModel({
    inputs: FEATURES.map((name) => ({ name, elemType: FP32, shape: ['batch', 1] })),
    outputs: [{ name: 'score', elemType: FP32, shape: ['batch', 1] }],
    nodes: [{ opType: 'Sigmoid', inputs: ['tenure'], outputs: ['score'] }],
  })
}

type Json = Record<string, any>

export async function callJson(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<Json> {
  const response = await app.inject({ method, url, payload: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } })
  if (response.statusCode !== 200) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return JSON.parse(response.body) as Json
}

async function uploadArtifact(app: FastifyInstance, artifactUri: string, name: string, bytes: Uint8Array): Promise<void> {
  const path = `${artifactUri.replace(/^mlflow-artifacts:\/+/, '')}/${name}`
  const response = await app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${path}`, payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } })
  if (response.statusCode !== 200) throw new Error(`upload ${name}: ${response.statusCode} ${response.body}`)
}

function history(key: string, steps: number, shape: (step: number) => number, start = 0) {
  return Array.from({ length: steps }, (_, i) => ({ key, value: shape(start + i), timestamp: 1_700_000_000_000 + (start + i) * 1000, step: start + i }))
}

/** Runs with params and metric curves; the `gbm` runs carry a model.onnx artifact. */
async function seedRuns(app: FastifyInstance, runs: number): Promise<string[]> {
  const random = seededRandom(11)
  const { experiment_id: experimentId } = await callJson(app, 'POST', `${MLFLOW}/experiments/create`, { name: SEEDED.experiment })
  const ids: string[] = []
  for (let i = 0; i < runs; i++) {
    const model = i % 3 === 0 ? 'gbm' : i % 3 === 1 ? 'logreg' : 'mlp'
    const { run } = await callJson(app, 'POST', `${MLFLOW}/runs/create`, { experiment_id: experimentId, run_name: `${model}-${String(i).padStart(2, '0')}`, start_time: 1_700_000_000_000 + i * 60_000 })
    const lr = [0.01, 0.03, 0.1][i % 3]!
    const quality = 0.78 + random() * 0.15
    await callJson(app, 'POST', `${MLFLOW}/runs/log-batch`, {
      run_id: run.info.run_id,
      params: [{ key: 'model', value: model }, { key: 'lr', value: String(lr) }, { key: 'depth', value: String(3 + (i % 4)) }, { key: 'features', value: 'v2' }],
      metrics: [
        ...history('loss', 300, (s) => 0.7 * Math.exp(-s / (60 + i)) + 0.05 + (s === 150 + i ? 0.4 : 0) + random() * 0.02),
        ...history('accuracy', 300, (s) => quality * (1 - Math.exp(-s / 40))).filter((_, k) => k % 3 === 0),
        { key: 'f1', value: quality - 0.04, timestamp: 1_700_000_000_000, step: 0 },
      ].slice(0, 1000),
    })
    await callJson(app, 'POST', `${MLFLOW}/runs/update`, { run_id: run.info.run_id, status: 'FINISHED', end_time: 1_700_000_000_000 + i * 60_000 + 30_000 + i * 1000 })
    if (model === 'gbm') await uploadArtifact(app, run.info.artifact_uri, 'model.onnx', churnModel())
    ids.push(run.info.run_id)
  }
  return ids
}

/** A run whose `loss` has `points` steps with one spike, for the long-history chart. */
export async function seedLongHistory(app: FastifyInstance, experimentId: string, name: string, points: number): Promise<string> {
  const { run } = await callJson(app, 'POST', `${MLFLOW}/runs/create`, { experiment_id: experimentId, run_name: name })
  const spike = Math.floor(points * 0.61)
  for (let start = 0; start < points; start += 1000) {
    const metrics = history('loss', Math.min(1000, points - start), (s) => (s === spike ? 3 : 1 / (1 + s / 5000) + 0.05 * Math.sin(s / 700)), start)
    await callJson(app, 'POST', `${MLFLOW}/runs/log-batch`, { run_id: run.info.run_id, metrics })
  }
  return run.info.run_id as string
}

async function seedRegistry(app: FastifyInstance, gbmRuns: string[]): Promise<void> {
  await callJson(app, 'POST', `${MLFLOW}/registered-models/create`, { name: SEEDED.model, description: 'Churn classifier trained on the weekly snapshot.' })
  for (const runId of gbmRuns.slice(0, 2)) await callJson(app, 'POST', `${MLFLOW}/model-versions/create`, { name: SEEDED.model, source: `runs:/${runId}/model.onnx`, run_id: runId })
  await callJson(app, 'POST', `${MLFLOW}/registered-models/alias`, { name: SEEDED.model, alias: 'champion', version: '1' })
  await callJson(app, 'POST', `${MLFLOW}/registered-models/alias`, { name: SEEDED.model, alias: 'challenger', version: '2' })
}

async function seedDeployment(app: FastifyInstance): Promise<void> {
  await callJson(app, 'POST', `${API}/deployments`, { name: SEEDED.deployment, routes: [{ model: SEEDED.model, alias: 'champion', weight: 100 }] })
  await callJson(app, 'PATCH', `${API}/deployments/${SEEDED.deployment}`, {
    routes: [{ model: SEEDED.model, alias: 'champion', weight: 90 }, { model: SEEDED.model, version: '2', weight: 10 }],
    shadow: { model: SEEDED.model, alias: 'challenger', share: 0.5 },
  })
}

/** Serves `count` one-row requests through the deployment; feature k shifts by `shift × k / 3`. */
export async function sendTraffic(app: FastifyInstance, prefix: string, count: number, shift: number, random = seededRandom(5)): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${i}`
    const inputs = FEATURES.map((name, k) => ({ name, shape: [1, 1], datatype: 'FP32', data: [random() * 2 - 1 + (shift * k) / 3] }))
    await callJson(app, 'POST', `/v2/models/${SEEDED.deployment}/infer`, { id, inputs })
    ids.push(id)
  }
  return ids
}

async function waitForLogs(app: FastifyInstance, expected: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const page = await callJson(app, 'GET', `${API}/prediction-logs?deployment=${SEEDED.deployment}&max_results=1000`)
    if (page.predictions.length >= expected) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`fewer than ${expected} prediction logs were written`)
}

/** Reference traffic, then drifting traffic with a monitor run after each step, and labels for half. */
async function seedMonitoring(app: FastifyInstance): Promise<void> {
  const random = seededRandom(5)
  const referenceStart = Date.now()
  await sendTraffic(app, 'ref', 60, 0, random)
  await waitForLogs(app, 60)
  const referenceEnd = Date.now() + 1
  await new Promise((resolve) => setTimeout(resolve, 20))
  await callJson(app, 'POST', `${API}/monitors`, {
    name: 'churn-watch',
    deployment: SEEDED.deployment,
    schedule: { every: '1h' },
    window: '1m',
    reference: { start: referenceStart, end: referenceEnd },
    conditions: [{ type: 'drift_share', threshold: 0.5 }],
  })
  let sent = 60
  for (const [phase, shift] of [0, 0.5, 1.5, 3].entries()) {
    const ids = await sendTraffic(app, `p${phase}`, 40, shift, random)
    sent += ids.length
    await waitForLogs(app, sent)
    const logs = await callJson(app, 'GET', `${API}/prediction-logs?deployment=${SEEDED.deployment}&start_time=${referenceEnd}&max_results=1000`)
    const labels = logs.predictions.filter((p: Json) => ids.includes(p.prediction_id) && Number(p.prediction_id.split('-')[1]) % 2 === 0)
    await callJson(app, 'POST', `${API}/feedback`, { feedback: labels.map((p: Json) => ({ prediction_id: p.prediction_id, label: (Object.values(p.outputs)[0] as number[])[0]! + 0.05 * phase })) })
    await callJson(app, 'POST', `${API}/monitors/churn-watch/run`)
  }
}

export interface SeededData {
  runIds: string[]
  experimentId: string
  pipeline: SeededPipeline
}

/** `workDir` holds the pipeline's files (the caller removes it); `resumePipeline` also fixes and resumes its failed run. */
export async function seedUiData(app: FastifyInstance, options: { runs?: number; workDir: string; resumePipeline?: boolean }): Promise<SeededData> {
  const runIds = await seedRuns(app, options.runs ?? 24)
  const { experiment } = await callJson(app, 'GET', `${MLFLOW}/experiments/get-by-name?experiment_name=${SEEDED.experiment}`)
  await seedRegistry(app, runIds.filter((_, i) => i % 3 === 0))
  await seedDeployment(app)
  await seedMonitoring(app)
  const pipeline = await seedPipeline(app, options.workDir, { resume: options.resumePipeline ?? false })
  return { runIds, experimentId: experiment.experiment_id, pipeline }
}
