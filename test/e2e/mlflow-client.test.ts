import assert from 'node:assert/strict'
import { after, before, describe, it, mock } from 'node:test'
import { join } from 'node:path'
import mlflowModule from 'mlflow'
import { makeTempDir, removeTempDir, sqliteUri, startServer, type PlinthServer } from './plinth-process.test-helper.js'

// The package's CommonJS entry assigns the class to module.exports, while its typings declare a
// default export: at run time the default import is the class itself.
const MLflow = ((mlflowModule as unknown as { default?: unknown }).default ?? mlflowModule) as typeof mlflowModule.default
type Client = InstanceType<typeof MLflow>

/** The client wraps a failed response's JSON in `new Error(new Error(json))`; this unwraps it. */
function failureOf(error: unknown): { status: number; data: { error_code: string; message: string } } {
  return JSON.parse(String((error as Error).message).replace(/^Error: /, ''))
}

let unique = 0
const uniqueName = (label: string) => `${label}-${process.pid}-${++unique}`

/**
 * The npm `mlflow` client (2.0.7), unchanged, against a real `plinth server` process: it sends
 * `run_uuid` beside `run_id`, uses the retired `experiments/list`, and reads int64 as numbers.
 */
describe('the npm mlflow client against plinth server', () => {
  let dir: string
  let server: PlinthServer
  let client: Client

  before(async () => {
    // The client prints every POST body with console.log; silenced so test output stays readable.
    mock.method(console, 'log', () => undefined)
    dir = await makeTempDir('mlflow-client')
    server = await startServer([
      '--port', '0',
      '--log-level', 'warn',
      '--backend-store-uri', sqliteUri(join(dir, 'plinth.db')),
      '--artifacts-destination', join(dir, 'artifacts'),
    ])
    client = new MLflow({ endpoint: server.url })
  })
  after(async () => {
    mock.restoreAll()
    await server?.stop()
    await removeTempDir(dir)
  })

  async function newExperiment(label: string): Promise<string> {
    const name = uniqueName(label)
    const { experiment_id } = await client.Experiments.create({ name, artifact_location: `mlflow-artifacts:/${name}` })
    return experiment_id
  }

  async function newRun(experimentId: string, runName = uniqueName('run')): Promise<string> {
    const { run } = await client.Runs.create({
      experiment_id: experimentId,
      user_id: 'npm-client',
      start_time: Date.now(),
      tags: [{ key: 'mlflow.runName', value: runName }],
    })
    return run.info.run_id
  }

  it('should create, read, rename, list, delete and restore an experiment', async () => {
    const name = uniqueName('experiment')
    const { experiment_id: id } = await client.Experiments.create({ name, artifact_location: 'mlflow-artifacts:/npm-client-exp' })
    assert.match(id, /^\d+$/)

    const { experiment } = await client.Experiments.get({ experiment_id: id })
    assert.equal(experiment.experiment_id, id)
    assert.equal(experiment.name, name)
    assert.equal(experiment.artifact_location, 'mlflow-artifacts:/npm-client-exp')
    assert.equal(experiment.lifecycle_stage, 'active')

    const renamed = `${name}-renamed`
    await client.Experiments.update({ experiment_id: id, new_name: renamed })
    assert.equal((await client.Experiments.get({ experiment_id: id })).experiment.name, renamed)

    const listed = (await client.Experiments.list()).experiments.find((e) => e.experiment_id === id)
    assert.equal(listed?.name, renamed)

    await client.Experiments.delete({ experiment_id: id })
    assert.equal((await client.Experiments.get({ experiment_id: id })).experiment.lifecycle_stage, 'deleted')
    const active = (await client.Experiments.list()).experiments.map((e) => e.experiment_id)
    assert.ok(!active.includes(id), 'a deleted experiment is listed as active')
    const deleted = (await client.Experiments.list({ view_type: 'DELETED_ONLY' as never })).experiments.map((e) => e.experiment_id)
    assert.ok(deleted.includes(id), 'a deleted experiment is missing from DELETED_ONLY')

    await client.Experiments.restore({ experiment_id: id })
    assert.equal((await client.Experiments.get({ experiment_id: id })).experiment.lifecycle_stage, 'active')
  })

  it('should create a run with the user, start time and tags it was given', async () => {
    const experimentId = await newExperiment('runs')
    const startTime = Date.now() - 60_000
    const { run } = await client.Runs.create({
      experiment_id: experimentId,
      user_id: 'alice',
      start_time: startTime,
      tags: [{ key: 'mlflow.runName', value: 'npm-client-run' }, { key: 'team', value: 'forecasting' }],
    })
    assert.equal(run.info.experiment_id, experimentId)
    assert.equal(run.info.user_id, 'alice')
    assert.equal(run.info.start_time, startTime)
    assert.equal(run.info.status, 'RUNNING')
    assert.equal(run.info.lifecycle_stage, 'active')
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${(await client.Experiments.get({ experiment_id: experimentId })).experiment.name}/${run.info.run_id}/artifacts`)
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]))
    assert.equal(tags['mlflow.runName'], 'npm-client-run')
    assert.equal(tags.team, 'forecasting')
  })

  it('should log params, metrics and tags one at a time and read them back exactly', async () => {
    const runId = await newRun(await newExperiment('single'))
    await client.Runs.logParameter({ run_id: runId, key: 'optimizer', value: 'adam' })
    await client.Runs.logParameter({ run_id: runId, key: 'lr', value: '0.001' })
    const points = [
      { key: 'loss', value: 0.9, timestamp: 1_700_000_000_000, step: 0 },
      { key: 'loss', value: 0.5, timestamp: 1_700_000_001_000, step: 1 },
      { key: 'loss', value: 0.123456789012345, timestamp: 1_700_000_002_000, step: 2 },
    ]
    for (const p of points) await client.Runs.logMetric({ run_id: runId, ...p })
    await client.Runs.setTag({ run_id: runId, key: 'stage', value: 'tuning' })
    await client.Runs.setTag({ run_id: runId, key: 'scratch', value: 'to delete' })
    await client.Runs.deleteTag({ run_id: runId, key: 'scratch' })

    const { run } = await client.Runs.get({ run_id: runId })
    assert.equal(run.info.run_id, runId)
    assert.deepEqual(Object.fromEntries(run.data.params.map((p) => [p.key, p.value])), { optimizer: 'adam', lr: '0.001' })
    assert.deepEqual(run.data.metrics, [points[2]], 'the run should hold the latest point of each metric')
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]))
    assert.equal(tags.stage, 'tuning')
    assert.equal(tags.scratch, undefined, 'a deleted tag is still on the run')

    const { metrics } = await client.Metrics.getHistory({ run_id: runId, metric_key: 'loss' })
    assert.deepEqual([...metrics].sort((a, b) => a.step - b.step), points)
  })

  it('should log a batch and return every metric point from get-history', async () => {
    const runId = await newRun(await newExperiment('batch'))
    const base = Date.now()
    const metrics = Array.from({ length: 120 }, (_, i) => ({ key: i % 2 ? 'accuracy' : 'loss', value: i % 2 ? i / 200 : 1 / (i + 1), timestamp: base + i, step: Math.floor(i / 2) }))
    const params = [{ key: 'epochs', value: '60' }, { key: 'model', value: 'mlp' }]
    const tags = [{ key: 'batch', value: 'yes' }]
    await client.Runs.logBatch({ run_id: runId, metrics, params, tags })

    for (const key of ['loss', 'accuracy']) {
      const { metrics: history } = await client.Metrics.getHistory({ run_id: runId, metric_key: key })
      const sent = metrics.filter((m) => m.key === key)
      assert.deepEqual([...history].sort((a, b) => a.step - b.step), sent, `history of ${key}`)
    }
    const { run } = await client.Runs.get({ run_id: runId })
    assert.deepEqual(Object.fromEntries(run.data.params.map((p) => [p.key, p.value])), { epochs: '60', model: 'mlp' })
    assert.equal(run.data.tags.find((t) => t.key === 'batch')?.value, 'yes')
    const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]))
    assert.equal(latest.loss, metrics[118]!.value)
    assert.equal(latest.accuracy, metrics[119]!.value)
  })

  it('should search runs with a filter and an order, and page through the results', async () => {
    const experimentId = await newExperiment('search')
    const losses = [0.42, 0.05, 0.31, 0.12, 0.27]
    const runIds: string[] = []
    for (const [i, loss] of losses.entries()) {
      const runId = await newRun(experimentId, `search-${i}`)
      runIds.push(runId)
      await client.Runs.logBatch({
        run_id: runId,
        metrics: [{ key: 'loss', value: loss, timestamp: Date.now(), step: 0 }],
        params: [{ key: 'optimizer', value: i % 2 ? 'sgd' : 'adam' }],
      })
    }
    const adamBelow = (limit: number) => runIds.filter((_, i) => i % 2 === 0 && losses[i]! < limit)

    const { runs } = await client.Runs.search({
      experiment_ids: [experimentId],
      filter: "metrics.loss < 0.35 and params.optimizer = 'adam'",
      order_by: ['metrics.loss ASC'],
    })
    const expected = adamBelow(0.35).sort((a, b) => losses[runIds.indexOf(a)]! - losses[runIds.indexOf(b)]!)
    assert.deepEqual(runs.map((r) => r.info.run_id), expected)

    const seen: string[] = []
    let pageToken: string | undefined
    do {
      const page = await client.Runs.search({ experiment_ids: [experimentId], max_results: 2, order_by: ['metrics.loss DESC'], page_token: pageToken })
      const runs = page.runs ?? []
      assert.ok(runs.length <= 2)
      seen.push(...runs.map((r) => r.info.run_id))
      pageToken = page.next_page_token || undefined
    } while (pageToken)
    const byLossDesc = [...runIds].sort((a, b) => losses[runIds.indexOf(b)]! - losses[runIds.indexOf(a)]!)
    assert.deepEqual(seen, byLossDesc)
  })

  it('should terminate a run with the status and end time it was given', async () => {
    const runId = await newRun(await newExperiment('terminate'))
    const endTime = Date.now()
    const { run_info } = await client.Runs.update({ run_id: runId, status: 'FINISHED' as never, end_time: endTime })
    assert.equal(run_info.run_id, runId)
    assert.equal(run_info.status, 'FINISHED')
    assert.equal(run_info.end_time, endTime)
    const { run } = await client.Runs.get({ run_id: runId })
    assert.equal(run.info.status, 'FINISHED')
    assert.equal(run.info.end_time, endTime)
  })

  it('should delete and restore a run, as search with each view type shows', async () => {
    const experimentId = await newExperiment('delete')
    const runId = await newRun(experimentId)
    const idsIn = async (view: string) =>
      ((await client.Runs.search({ experiment_ids: [experimentId], run_view_type: view as never })).runs ?? []).map((r) => r.info.run_id)

    await client.Runs.delete({ run_id: runId })
    assert.deepEqual(await idsIn('ACTIVE_ONLY'), [])
    assert.deepEqual(await idsIn('DELETED_ONLY'), [runId])
    assert.equal((await client.Runs.get({ run_id: runId })).run.info.lifecycle_stage, 'deleted')

    await client.Runs.restore({ run_id: runId })
    assert.deepEqual(await idsIn('ACTIVE_ONLY'), [runId])
    assert.deepEqual(await idsIn('DELETED_ONLY'), [])
  })

  it('should list artifacts uploaded through the proxied artifact service', async () => {
    const runId = await newRun(await newExperiment('artifacts'))
    const { run } = await client.Runs.get({ run_id: runId })
    const root = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '')
    const body = 'feature,weight\nage,0.4\n'
    const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/weights.csv`, { method: 'PUT', body })
    assert.equal(upload.status, 200)

    const top = await client.Artifacts.list({ run_id: runId, path: '' })
    assert.equal(top.root_uri, run.info.artifact_uri)
    assert.deepEqual(top.files, [{ path: 'model', is_dir: true }])
    const inner = await client.Artifacts.list({ run_id: runId, path: 'model' })
    assert.deepEqual(inner.files, [{ path: 'model/weights.csv', is_dir: false, file_size: Buffer.byteLength(body) }])
    const download = await downloadText(`${server.url}/get-artifact?run_id=${runId}&path=model/weights.csv`)
    assert.equal(download, body)
  })

  it('should reject an unknown run with a 404 RESOURCE_DOES_NOT_EXIST the client can read', async () => {
    const error = await client.Runs.get({ run_id: 'f'.repeat(32) }).then(
      () => assert.fail('an unknown run was found'),
      (e: unknown) => e,
    )
    const failure = failureOf(error)
    assert.equal(failure.status, 404)
    assert.equal(failure.data.error_code, 'RESOURCE_DOES_NOT_EXIST')
    assert.match(failure.data.message, /f{32}/)
  })
})

async function downloadText(url: string): Promise<string> {
  const response = await fetch(url)
  assert.equal(response.status, 200)
  return response.text()
}
