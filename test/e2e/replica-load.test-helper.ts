import { metricHistory, okJson, pointId, type MetricPoint } from './plinth-process.test-helper.js'

const API = '/api/2.0/mlflow'
export const ROW = [1, -2, 3, -4]
export const INFER_BODY = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: ROW }] }

/** What each served version computes on ROW: version 1 is Identity, version 2 is Neg. */
export const EXPECTED_OUTPUT: Record<string, number[]> = { '1': ROW, '2': ROW.map((v) => -v) }

/** A request that did not succeed: an HTTP error answer, a broken connection or a wrong result. */
export interface LoadFailure {
  at: number
  what: string
}

/** Writes the servers acknowledged with a 200, to be read back later. */
export interface Acknowledged {
  points: MetricPoint[]
  runIds: string[]
  artifacts: { runId: string; path: string; bytes: Buffer }[]
}

export interface LoadTarget {
  base: string
  experimentId: string
  runId: string
  /** The run's artifact root without the `mlflow-artifacts:/` scheme. */
  artifactRoot: string
}

/**
 * Steady mixed traffic through one base URL until stopped: inference, single metric points,
 * new runs and artifact uploads, in turn per worker, recording every acknowledged write.
 */
export function startLoad(target: LoadTarget, workers: number) {
  const acked: Acknowledged = { points: [], runIds: [], artifacts: [] }
  const failures: LoadFailure[] = []
  let successes = 0
  let stopped = false
  const ops = [infer, logMetric, createRun, infer, uploadArtifact]
  const worker = async (w: number) => {
    for (let i = 0; !stopped; i++) {
      const op = ops[i % ops.length]!
      try {
        const failure = await op(target, acked, `${w}-${i}`)
        if (failure) failures.push({ at: performance.now(), what: failure })
        else successes++
      } catch (error) {
        failures.push({ at: performance.now(), what: `${op.name}: ${(error as Error).message} ${String((error as Error).cause ?? '')}` })
      }
    }
  }
  const running = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)))
  return {
    acked,
    failures,
    successes: () => successes,
    async stop() {
      stopped = true
      await running
    },
  }
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, body: response.status === 200 ? JSON.parse(text) : text }
}

async function infer(target: LoadTarget): Promise<string | undefined> {
  const answer = await post(target.base, '/v2/models/churn/infer', INFER_BODY)
  if (answer.status !== 200) return `infer ${answer.status} ${answer.body}`
  const expected = EXPECTED_OUTPUT[answer.body.model_version]
  const data = answer.body.outputs?.[0]?.data
  if (!expected || JSON.stringify(data) !== JSON.stringify(expected)) return `infer v${answer.body.model_version} gave ${JSON.stringify(data)}`
  return undefined
}

let step = 0
async function logMetric(target: LoadTarget, acked: Acknowledged): Promise<string | undefined> {
  const s = step++
  const point = { key: 'load', value: s / 3, timestamp: 1_700_000_000_000 + s, step: s }
  const answer = await post(target.base, `${API}/runs/log-metric`, { run_id: target.runId, ...point })
  if (answer.status !== 200) return `log-metric ${answer.status} ${answer.body}`
  acked.points.push(point)
  return undefined
}

async function createRun(target: LoadTarget, acked: Acknowledged, tag: string): Promise<string | undefined> {
  const answer = await post(target.base, `${API}/runs/create`, { experiment_id: target.experimentId, run_name: `load-${tag}` })
  if (answer.status !== 200) return `runs/create ${answer.status} ${answer.body}`
  acked.runIds.push(answer.body.run.info.run_id)
  return undefined
}

async function uploadArtifact(target: LoadTarget, acked: Acknowledged, tag: string): Promise<string | undefined> {
  const path = `load/${tag}.bin`
  const bytes = Buffer.from(`artifact ${tag} `.repeat(64))
  const response = await fetch(`${target.base}/api/2.0/mlflow-artifacts/artifacts/${target.artifactRoot}/${path}`, { method: 'PUT', body: bytes })
  const text = await response.text()
  if (response.status !== 200) return `artifact PUT ${response.status} ${text}`
  acked.artifacts.push({ runId: target.runId, path, bytes })
  return undefined
}

/** Every acknowledged write that a server cannot read back (empty when nothing was lost). */
export async function missingWrites(base: string, runId: string, acked: Acknowledged): Promise<string[]> {
  const missing: string[] = []
  const stored = new Set((await metricHistory(base, runId, 'load')).map(pointId))
  for (const point of acked.points) if (!stored.has(pointId(point))) missing.push(`metric step ${point.step}`)
  for (const id of acked.runIds) {
    const run = await okJson(base, 'GET', `${API}/runs/get?run_id=${id}`)
    if (run.run?.info?.run_id !== id) missing.push(`run ${id}`)
  }
  for (const artifact of acked.artifacts) {
    const response = await fetch(`${base}/get-artifact?run_id=${artifact.runId}&path=${artifact.path}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    if (response.status !== 200 || !bytes.equals(artifact.bytes)) missing.push(`artifact ${artifact.path} (${response.status})`)
  }
  return missing
}
