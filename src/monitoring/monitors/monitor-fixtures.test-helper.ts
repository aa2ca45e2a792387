import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { Services } from '../../app/services.js'
import { proxiedPath } from '../../artifacts/artifact-service.js'
import { seededRandom } from '../../testing/seeded-random.js'
import type { LoggedColumns, PredictionLog } from '../prediction-log-store.js'
import { REFERENCE_DATA_TAG } from './registry-reference-source.js'

/** A received notification. */
export interface Received {
  path: string
  headers: IncomingMessage['headers']
  body: any
  status: number
}

/**
 * A local HTTP receiver for webhooks: answers `failFirst` requests with `failStatus`, then 200,
 * and keeps every request.
 */
export async function startReceiver(options: { failFirst?: number; failStatus?: number } = {}): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = []
  const server: Server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk) => (text += chunk))
    request.on('end', () => {
      const status = received.length < (options.failFirst ?? 0) ? (options.failStatus ?? 503) : 200
      received.push({ path: request.url ?? '', headers: request.headers, body: text ? JSON.parse(text) : undefined, status })
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** `n` rows of features a and b, normal around `shift`, from a fixed seed. */
export function featureRows(n: number, shift: number, seed: number): LoggedColumns {
  const random = seededRandom(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return { a: Array.from({ length: n }, () => shift + normal()), b: Array.from({ length: n }, () => shift * 2 + normal()) }
}

/** Uploads `csv` as an artifact of `runId` and tags version `version` of `model` with it as its reference data. */
export async function attachReference(services: Services, model: string, version: number, runId: string, csv: string): Promise<void> {
  const run = await services.tracking.getRunInfo(runId)
  await services.artifacts.upload(`${proxiedPath(run.artifactUri)}/reference/train.csv`, Readable.from(Buffer.from(csv)))
  await services.registry.setModelVersionTag(model, version, { key: REFERENCE_DATA_TAG, value: 'reference/train.csv' })
}

export function toCsv(columns: LoggedColumns): string {
  const names = Object.keys(columns)
  const n = columns[names[0]!]!.length
  const lines = [names.join(',')]
  for (let i = 0; i < n; i++) lines.push(names.map((k) => String(columns[k]![i])).join(','))
  return lines.join('\n') + '\n'
}

let counter = 0

/** A logged request of `inputs` columns (one row per value) with a prediction column. */
export function loggedRequest(at: number, inputs: LoggedColumns, options: { deployment?: string; model?: string; latencyMs?: number; error?: string } = {}): PredictionLog {
  const rows = Object.values(inputs)[0]?.length ?? 0
  counter += 1
  return {
    predictionId: `p${counter}`,
    model: options.model ?? 'churn',
    version: '1',
    ...(options.deployment !== undefined ? { deployment: options.deployment } : {}),
    time: at,
    rows,
    inputs,
    outputs: options.error ? {} : { prediction: Array.from({ length: rows }, (_, i) => i % 2) },
    latencyMs: options.latencyMs ?? 5,
    ...(options.error ? { error: options.error } : {}),
  }
}
