import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { createServices } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { registerModels, unaryModel } from '../../src/inference/serving-fixtures.test-helper.js'
import { cleanEnv, freePort, makeTempDir, removeTempDir, sqliteUri } from './plinth-process.test-helper.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')
const START_TIMEOUT_MS = 120_000

interface Served {
  url: string
  child: ChildProcess
  output(): string
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>
}

/** `plinth serve …` in a child process, once it has announced its address (or exited, rejecting). */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`plinth serve did not start:\n${output}`))
    }, START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /(?:listening|workers) on (http:\/\/[^\s:]+:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({ url: match[1]!, child, output: () => output, stop: () => (child.kill('SIGTERM'), exit) })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exit.then((code) => {
      clearTimeout(timer)
      reject(Object.assign(new Error(`plinth serve exited (${code}):\n${output}`), { code, output }))
    })
  })
}

async function post(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } })
  return { status: response.status, body: await response.json() }
}

/** Retries while `--workers` children are still starting behind the primary's announcement. */
async function postWhenUp(url: string, body: string): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    try {
      return await post(url, body)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

const V2 = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] })

describe('plinth serve -m (child process)', () => {
  let dir: string
  let store: string
  let logs: string
  let artifacts: string
  before(async () => {
    dir = await makeTempDir('serve')
    writeFileSync(join(dir, 'churn.onnx'), unaryModel('Neg'))
    store = sqliteUri(join(dir, 'plinth.db'))
    // Served requests are logged; into the test's folder, not the working directory's ./plinth-data.
    logs = sqliteUri(join(dir, 'prediction-logs.db'))
    artifacts = join(dir, 'artifacts')
    const services = await createServices(resolveConfig({ backendStoreUri: store, artifactsDestination: artifacts }, {}))
    try {
      await registerModels(services, 'fraud', [unaryModel('Identity'), unaryModel('Abs')], { champion: 2 })
    } finally {
      await services.close()
    }
  })
  after(() => removeTempDir(dir))

  it('should serve a local .onnx file over /invocations, V2 and V1 without any database, and stop on SIGTERM', async () => {
    const served = await serve(['-m', join(dir, 'churn.onnx'), '--port', '0', '--backend-store-uri', logs])
    try {
      assert.match(served.output(), /serving model 'churn' version 1/)
      assert.equal((await fetch(`${served.url}/ping`)).status, 200)
      const csv = await post(`${served.url}/invocations`, 'a,b,c,d\n1,2,3,4\n', 'text/csv')
      assert.deepEqual(csv.body, { predictions: [[-1, -2, -3, -4]] })
      const split = await post(`${served.url}/invocations`, JSON.stringify({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: [[1, 2, 3, 4]] } }))
      assert.deepEqual(split.body, { predictions: [[-1, -2, -3, -4]] })
      const v2 = await post(`${served.url}/v2/models/churn/infer`, V2)
      assert.deepEqual(v2.body.outputs[0].data, [-1, -2, -3, -4])
      const v1 = await post(`${served.url}/v1/models/churn:predict`, JSON.stringify({ instances: [[1, 2, 3, 4]] }))
      assert.deepEqual(v1.body, { predictions: [[-1, -2, -3, -4]] })
    } finally {
      assert.equal(await served.stop(), 0)
    }
  })

  it('should serve models:/name@alias from the registry under the model\'s name, with --workers 2', async () => {
    const port = await freePort()
    const served = await serve(['-m', 'models:/fraud@champion', '--port', String(port), '--workers', '2', '--backend-store-uri', store, '--artifacts-destination', artifacts])
    try {
      assert.match(served.output(), /serving model 'fraud' version 2 from models:\/fraud@champion/)
      for (let i = 0; i < 4; i++) {
        const response = await postWhenUp(`${served.url}/v2/models/fraud/infer`, JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, -2, 3, -4] }] }))
        assert.equal(response.status, 200, JSON.stringify(response.body))
        assert.deepEqual(response.body.outputs[0].data, [1, 2, 3, 4])
        assert.equal(response.body.model_version, '2')
      }
    } finally {
      assert.equal(await served.stop(), 0)
    }
  })

  it('should exit 0 when stopped while its workers are still starting', async () => {
    const served = await serve(['-m', join(dir, 'churn.onnx'), '--port', String(await freePort()), '--workers', '2', '--backend-store-uri', logs])
    assert.equal(await served.stop(), 0)
  })

  it('should serve models:/name/version with --name, and refuse a model it cannot find with one error line', async () => {
    const served = await serve(['-m', 'models:/fraud/1', '--name', 'scorer', '--port', '0', '--backend-store-uri', store, '--artifacts-destination', artifacts])
    try {
      const response = await post(`${served.url}/v2/models/scorer/infer`, V2)
      assert.deepEqual(response.body.outputs[0].data, [1, 2, 3, 4])
    } finally {
      await served.stop()
    }
    const failure = await serve(['-m', join(dir, 'missing.onnx'), '--port', '0', '--backend-store-uri', logs]).then(
      () => assert.fail('a missing model file must stop the start'),
      (error: { code: number; output: string }) => error,
    )
    assert.equal(failure.code, 5)
    assert.match(failure.output, /^error: No model file or folder at .*missing\.onnx'\.\n$/)
  })
})
