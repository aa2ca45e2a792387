import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { FakeMlflowServer } from './fake-mlflow-server.test-helper.js'
import { PlinthApiError, PlinthClient, PlinthConnectionError } from './index.js'

describe('PlinthClient', () => {
  let fake: FakeMlflowServer
  const client = (options: ConstructorParameters<typeof PlinthClient>[0] = {}) =>
    new PlinthClient({ trackingUri: fake.url, env: {}, retry: { baseDelayMs: 1 }, ...options })

  before(async () => {
    fake = await FakeMlflowServer.start()
  })
  after(() => fake.close())
  beforeEach(() => fake.reset())

  describe('configuration', () => {
    it('reads the tracking URI from the environment, Plinth first, and trims slashes', () => {
      const env = { PLINTH_TRACKING_URI: 'http://a:1/', MLFLOW_TRACKING_URI: 'http://b:2' }
      assert.equal(new PlinthClient({ env }).trackingUri, 'http://a:1')
      assert.equal(
        new PlinthClient({ env: { MLFLOW_TRACKING_URI: 'http://b:2' } }).trackingUri,
        'http://b:2',
      )
      assert.equal(new PlinthClient({ env: {} }).trackingUri, 'http://127.0.0.1:5000')
      assert.throws(() => new PlinthClient({ trackingUri: 'file:///tmp', env: {} }), TypeError)
    })

    const authCases: Array<[string, ConstructorParameters<typeof PlinthClient>[0], string]> = [
      ['token option', { token: 'tok' }, 'Bearer tok'],
      [
        'PLINTH_TRACKING_TOKEN',
        { env: { PLINTH_TRACKING_TOKEN: 'p', MLFLOW_TRACKING_TOKEN: 'm' } },
        'Bearer p',
      ],
      ['MLFLOW_TRACKING_TOKEN', { env: { MLFLOW_TRACKING_TOKEN: 'm' } }, 'Bearer m'],
      ['username option', { username: 'ann', password: 'pw' }, `Basic ${btoa('ann:pw')}`],
      [
        'MLFLOW_TRACKING_USERNAME/PASSWORD',
        { env: { MLFLOW_TRACKING_USERNAME: 'bob', MLFLOW_TRACKING_PASSWORD: 's3' } },
        `Basic ${btoa('bob:s3')}`,
      ],
      ['options over env', { token: 'opt', env: { MLFLOW_TRACKING_TOKEN: 'env' } }, 'Bearer opt'],
    ]
    for (const [name, options, expected] of authCases) {
      it(`sends ${expected.split(' ')[0]} auth from the ${name}`, async () => {
        await client(options).getExperimentByName('none')
        assert.equal(fake.requests[0]!.headers.authorization, expected)
      })
    }

    it('sends no Authorization header without credentials', async () => {
      await client().getExperimentByName('none')
      assert.equal(fake.requests[0]!.headers.authorization, undefined)
    })
  })

  describe('startRun', () => {
    it('creates a missing experiment, then the run with its tags and name', async () => {
      const plinth = client()
      const run = await plinth.startRun({
        experimentName: 'churn-new',
        runName: 'lr-1',
        tags: { team: 'a' },
      })
      assert.deepEqual(
        fake.requests.map((r) => `${r.method} ${r.endpoint}`),
        ['GET experiments/get-by-name', 'POST experiments/create', 'POST runs/create'],
      )
      assert.equal(fake.requests[0]!.query.get('experiment_name'), 'churn-new')
      assert.deepEqual(fake.requests[1]!.json, { name: 'churn-new' })
      const create = fake.to('runs/create')[0]!.json
      const experimentId = fake.experiments.get('churn-new')
      assert.equal(create.experiment_id, experimentId)
      assert.equal(create.run_name, 'lr-1')
      assert.equal(typeof create.start_time, 'number')
      assert.ok(create.tags.some((t: any) => t.key === 'team' && t.value === 'a'))
      assert.equal(run.experimentId, experimentId)
      assert.equal(run.runName, 'lr-1')
      assert.equal(run.artifactUri, `mlflow-artifacts:/${experimentId}/${run.runId}/artifacts`)
      await run.end()
    })

    it('reuses an existing experiment', async () => {
      fake.experiments.set('exists', '42')
      const run = await client().startRun({ experimentName: 'exists' })
      assert.equal(fake.to('experiments/create').length, 0)
      assert.equal(run.experimentId, '42')
      await run.end()
    })

    it('uses the experiment another process created in the meantime', async () => {
      fake.intercept((r) => {
        if (r.endpoint !== 'experiments/create') return undefined
        fake.experiments.set('raced', '7')
        return { status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'taken' } }
      })
      const run = await client().startRun({ experimentName: 'raced' })
      assert.equal(run.experimentId, '7')
      assert.equal(fake.to('experiments/get-by-name').length, 2)
      await run.end()
    })

    it('falls back to MLFLOW_EXPERIMENT_ID, then the Default experiment', async () => {
      const fromEnv = await client({ env: { MLFLOW_EXPERIMENT_ID: '9' } }).startRun()
      const fallback = await client().startRun()
      assert.deepEqual(
        fake.to('runs/create').map((r) => r.json.experiment_id),
        ['9', '0'],
      )
      await Promise.all([fromEnv.end(), fallback.end()])
    })

    it('registers one beforeExit listener per client, and removes it when runs end', async () => {
      const baseline = process.listenerCount('beforeExit')
      const exitBaseline = process.listenerCount('exit')
      const plinth = client()
      const a = await plinth.startRun()
      const b = await plinth.startRun()
      assert.equal(process.listenerCount('beforeExit'), baseline + 1)
      assert.equal(process.listenerCount('exit'), exitBaseline + 1)
      await a.end()
      assert.equal(process.listenerCount('beforeExit'), baseline + 1)
      await b.end()
      assert.equal(process.listenerCount('beforeExit'), baseline)
      assert.equal(process.listenerCount('exit'), exitBaseline)
    })
  })

  describe('reads', () => {
    it('maps getRun to camelCase, with NaN read back from "NaN"', async () => {
      const plinth = client()
      const run = await plinth.startRun({ runName: 'r', tags: { team: 'a' } })
      run.logParams({ lr: 0.1 })
      run.logMetric('loss', Number.NaN, { step: 3, timestamp: 1000 })
      await run.end()
      const got = await plinth.getRun(run.runId)
      assert.equal(got.info.runId, run.runId)
      assert.equal(got.info.status, 'FINISHED')
      assert.equal(typeof got.info.endTime, 'number')
      assert.deepEqual(got.data.params, { lr: '0.1' })
      assert.equal(got.data.tags.team, 'a')
      assert.equal(got.data.metrics.length, 1)
      assert.ok(Number.isNaN(got.data.metrics[0]!.value))
      assert.equal(got.data.metrics[0]!.step, 3)
    })

    it('follows next_page_token through the whole metric history', async () => {
      const plinth = client()
      const run = await plinth.startRun()
      for (let step = 0; step < 5; step++) run.logMetric('acc', step / 10, { step })
      await run.end()
      const history = await plinth.getMetricHistory(run.runId, 'acc')
      assert.deepEqual(
        history.map((m) => m.step),
        [0, 1, 2, 3, 4],
      )
      assert.equal(fake.to('metrics/get-history').length, 3)
      assert.equal(fake.to('metrics/get-history')[1]!.query.get('page_token'), '2')
    })

    it('searches runs with snake_case fields and returns the page token', async () => {
      fake.experiments.set('search', '77')
      const plinth = client()
      for (let i = 0; i < 3; i++) await (await plinth.startRun({ experimentName: 'search' })).end()
      const page = await plinth.searchRuns({
        experimentIds: ['77'],
        filter: "params.lr = '0.1'",
        orderBy: ['metrics.loss ASC'],
        maxResults: 2,
      })
      assert.deepEqual(fake.to('runs/search')[0]!.json, {
        experiment_ids: ['77'],
        filter: "params.lr = '0.1'",
        max_results: 2,
        order_by: ['metrics.loss ASC'],
      })
      assert.equal(page.runs.length, 2)
      assert.equal(page.nextPageToken, '2')
      const rest = await plinth.searchRuns({ experimentIds: ['77'], pageToken: page.nextPageToken })
      assert.equal(rest.runs.length, 1)
      assert.equal(rest.nextPageToken, undefined)
    })

    it('returns undefined for a missing experiment, and the experiment when present', async () => {
      const plinth = client()
      assert.equal(await plinth.getExperimentByName('nope'), undefined)
      const id = await plinth.createExperiment('made')
      const experiment = await plinth.getExperimentByName('made')
      assert.equal(experiment?.experimentId, id)
      assert.equal(experiment?.artifactLocation, `mlflow-artifacts:/${id}`)
    })

    it("throws PlinthApiError with the server's status, code and message", async () => {
      await assert.rejects(client().getRun('missing'), (error: unknown) => {
        assert.ok(error instanceof PlinthApiError)
        assert.equal(error.status, 404)
        assert.equal(error.errorCode, 'RESOURCE_DOES_NOT_EXIST')
        assert.equal(error.message, "Run 'missing' not found")
        assert.equal(error.endpoint, 'GET runs/get')
        return true
      })
    })

    it('gives up with PlinthConnectionError after maxAttempts network failures', async () => {
      fake.intercept(() => 'destroy')
      await assert.rejects(
        client({ retry: { maxAttempts: 3, baseDelayMs: 1 } }).getRun('x'),
        (error) => {
          assert.ok(error instanceof PlinthConnectionError)
          assert.equal(error.attempts, 3)
          return true
        },
      )
      assert.equal(fake.requests.length, 3)
    })
  })
})
