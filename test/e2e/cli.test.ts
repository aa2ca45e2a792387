import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { makeTempDir, okJson, removeTempDir, runCli, sqliteUri, startServer, type CliResult, type PlinthServer } from './plinth-process.test-helper.js'

const API = '/api/2.0/mlflow'

/** Runs the CLI and insists on exit code 0, so a failing step names itself. */
async function plinth(...args: string[]): Promise<CliResult> {
  const result = await runCli(args)
  assert.equal(result.code, 0, `plinth ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result
}

async function plinthJson(...args: string[]): Promise<any> {
  return JSON.parse((await plinth(...args, '--json')).stdout)
}

/** What a failed command must look like: one `error:` line, no stack, the mapped exit code. */
function assertFailure(result: CliResult, code: keyof typeof EXIT_CODES, message: RegExp): void {
  assert.equal(result.code, EXIT_CODES[code], `exit code for ${code}; stderr: ${result.stderr}`)
  assert.equal(result.stdout, '')
  const lines = result.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${result.stderr}`)
  assert.match(lines[0]!, /^error: /)
  assert.match(lines[0]!, message)
  assert.doesNotMatch(result.stderr, /\bat .+:\d+:\d+/, 'a stack trace was printed')
}

describe('plinth CLI end to end', () => {
  let dir: string
  before(async () => {
    dir = await makeTempDir('cli')
  })
  after(async () => {
    await removeTempDir(dir)
  })

  describe('db migrate and db status', () => {
    it('should refuse to work on a database that was never migrated, naming the command that fixes it', async () => {
      const store = sqliteUri(join(dir, 'never-migrated.db'))
      assertFailure(await runCli(['experiments', 'list', '--backend-store-uri', store]), 'SCHEMA_MIGRATION_REQUIRED', /plinth db migrate/)
    })

    it('should apply every migration, report them in db status, then find nothing to do', async () => {
      const store = sqliteUri(join(dir, 'migrate.db'))
      const fresh = await plinthJson('db', 'status', '--backend-store-uri', store)
      assert.deepEqual(fresh.applied, [])
      assert.ok(fresh.pending.length > 0)

      const migrated = await plinthJson('db', 'migrate', '--backend-store-uri', store)
      assert.deepEqual(migrated.applied, fresh.pending)
      assert.equal(migrated.database, store)

      const status = await plinthJson('db', 'status', '--backend-store-uri', store)
      assert.deepEqual(status, { database: store, applied: fresh.pending, pending: [] })
      const human = (await plinth('db', 'status', '--backend-store-uri', store)).stdout
      for (const name of fresh.pending) assert.match(human, new RegExp(`- ${name}\\b`))

      assert.equal((await plinth('db', 'migrate', '--backend-store-uri', store)).stdout, `${store} is up to date.\n`)
    })
  })

  describe('experiments', () => {
    let store: string
    before(async () => {
      store = sqliteUri(join(dir, 'experiments.db'))
      await plinth('db', 'migrate', '--backend-store-uri', store)
    })

    it('should create experiments and list them as a table and as JSON', async () => {
      const created = (await plinth('experiments', 'create', 'churn-model', '--tag', 'team=growth', '--backend-store-uri', store)).stdout
      const match = /^Created experiment 'churn-model' with id (\d+)\n$/.exec(created)
      assert.ok(match, `unexpected output: ${created}`)
      const humanId = match[1]!
      const { experiment_id: jsonId } = await plinthJson('experiments', 'create', 'fraud-model', '--backend-store-uri', store)
      assert.match(jsonId, /^\d+$/)
      assert.notEqual(jsonId, humanId)

      const table = (await plinth('experiments', 'list', '--backend-store-uri', store)).stdout.trimEnd().split('\n')
      assert.match(table[0]!, /^ID\s+NAME\s+STAGE\s+CREATED\s+ARTIFACT_LOCATION$/)
      for (const [id, name] of [[humanId, 'churn-model'], [jsonId, 'fraud-model'], ['0', 'Default']]) {
        assert.ok(table.some((line) => new RegExp(`^${id}\\s+${name}\\s+active\\s`).test(line)), `no row for ${name} in:\n${table.join('\n')}`)
      }

      const listed = await plinthJson('experiments', 'list', '--backend-store-uri', store)
      const churn = listed.find((e: { experimentId: string }) => e.experimentId === humanId)
      assert.equal(churn.name, 'churn-model')
      assert.equal(churn.lifecycleStage, 'active')
      assert.deepEqual(churn.tags, [{ key: 'team', value: 'growth' }])
      assert.deepEqual(listed.map((e: { name: string }) => e.name).sort(), ['Default', 'churn-model', 'fraud-model'])
    })

    it('should delete an experiment, moving it to the deleted view', async () => {
      const { experiment_id: id } = await plinthJson('experiments', 'create', 'short-lived', '--backend-store-uri', store)
      const deleted = (await plinth('experiments', 'delete', id, '--backend-store-uri', store)).stdout
      assert.equal(deleted, `Deleted experiment ${id}. Undo with: plinth experiments restore ${id}\n`)

      const active = await plinthJson('experiments', 'list', '--backend-store-uri', store)
      assert.ok(!active.some((e: { experimentId: string }) => e.experimentId === id), 'a deleted experiment is listed as active')
      const gone = await plinthJson('experiments', 'list', '--view', 'deleted', '--backend-store-uri', store)
      assert.deepEqual(gone.map((e: { experimentId: string; lifecycleStage: string }) => [e.experimentId, e.lifecycleStage]), [[id, 'deleted']])
    })

    it('should print one error line and exit with the code for RESOURCE_DOES_NOT_EXIST for an unknown experiment', async () => {
      assertFailure(await runCli(['experiments', 'delete', '987654', '--backend-store-uri', store]), 'RESOURCE_DOES_NOT_EXIST', /987654/)
    })

    it('should exit with the code for INVALID_PARAMETER_VALUE for a bad flag value', async () => {
      assertFailure(await runCli(['experiments', 'list', '--view', 'sideways', '--backend-store-uri', store]), 'INVALID_PARAMETER_VALUE', /--view 'sideways'/)
    })
  })

  describe('runs, read from the database a running server writes to', () => {
    let store: string
    let server: PlinthServer
    let experimentId: string
    const runs: Array<{ id: string; name: string; rmse: number; model: string }> = []

    before(async () => {
      store = sqliteUri(join(dir, 'runs.db'))
      await plinth('db', 'migrate', '--backend-store-uri', store)
      server = await startServer(['--port', '0', '--log-level', 'warn', '--backend-store-uri', store, '--artifacts-destination', join(dir, 'artifacts')])
      experimentId = (await okJson(server.url, 'POST', `${API}/experiments/create`, { name: 'cli-runs' })).experiment_id
      for (const [i, rmse] of [0.71, 0.32, 0.48].entries()) {
        const name = `trial-${i}`
        const model = i === 0 ? 'linear' : 'gbm'
        const { run } = await okJson(server.url, 'POST', `${API}/runs/create`, { experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 + i })
        await okJson(server.url, 'POST', `${API}/runs/log-batch`, {
          run_id: run.info.run_id,
          metrics: [{ key: 'rmse', value: rmse, timestamp: 1_700_000_100_000, step: 0 }],
          params: [{ key: 'model', value: model }],
          tags: [{ key: 'dataset', value: 'q3' }],
        })
        runs.push({ id: run.info.run_id, name, rmse, model })
      }
    })
    after(async () => {
      await server?.stop()
    })

    it('should list the server’s runs as a table and as JSON', async () => {
      const table = (await plinth('runs', 'list', '--experiment-id', experimentId, '--backend-store-uri', store)).stdout.trimEnd().split('\n')
      assert.match(table[0]!, /^RUN_ID\s+NAME\s+STATUS\s+STARTED\s+METRICS$/)
      assert.equal(table.length, runs.length + 1)
      for (const run of runs) {
        assert.ok(table.some((line) => line.startsWith(run.id) && line.includes(run.name) && line.includes(`rmse=${run.rmse}`)), `no row for ${run.name}`)
      }
      const listed = await plinthJson('runs', 'list', '--experiment-id', experimentId, '--backend-store-uri', store)
      assert.deepEqual(listed.map((r: { info: { runId: string } }) => r.info.runId).sort(), runs.map((r) => r.id).sort())
    })

    it('should get one run with its params, metrics and tags', async () => {
      const run = runs[1]!
      const shown = await plinthJson('runs', 'get', run.id, '--backend-store-uri', store)
      assert.equal(shown.info.runId, run.id)
      assert.equal(shown.info.runName, run.name)
      assert.equal(shown.info.experimentId, experimentId)
      assert.deepEqual(shown.data.params, [{ key: 'model', value: run.model }])
      assert.deepEqual(shown.data.metrics, [{ key: 'rmse', value: run.rmse, timestamp: 1_700_000_100_000, step: 0 }])
      assert.equal(shown.data.tags.find((t: { key: string }) => t.key === 'dataset')?.value, 'q3')

      const human = (await plinth('runs', 'get', run.id, '--backend-store-uri', store)).stdout
      assert.match(human, new RegExp(`runId: ${run.id}`))
      assert.match(human, /key: rmse/)
    })

    it('should search runs with a filter and an order', async () => {
      const found = await plinthJson(
        'runs', 'search',
        '--experiment-id', experimentId,
        '--filter', "metrics.rmse < 0.6 and params.model = 'gbm'",
        '--order-by', 'metrics.rmse ASC',
        '--backend-store-uri', store,
      )
      const expected = runs.filter((r) => r.rmse < 0.6 && r.model === 'gbm').sort((a, b) => a.rmse - b.rmse)
      assert.deepEqual(found.map((r: { info: { runId: string } }) => r.info.runId), expected.map((r) => r.id))
    })

    it('should exit with the code for RESOURCE_DOES_NOT_EXIST for an unknown run', async () => {
      assertFailure(await runCli(['runs', 'get', 'f'.repeat(32), '--backend-store-uri', store]), 'RESOURCE_DOES_NOT_EXIST', /f{32}/)
    })
  })
})
