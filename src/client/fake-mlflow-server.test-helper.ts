import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the fake server saw it. `endpoint` is the path after `/api/2.0/mlflow/`. */
export interface RecordedRequest {
  method: string
  path: string
  endpoint: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
  json: any
}

/** An override's answer; `'destroy'` drops the connection to simulate a network failure. */
export type FakeReply = JsonReply | 'destroy' | undefined

interface JsonReply {
  status: number
  body?: unknown
}

interface FakeRun {
  info: Record<string, any>
  metrics: Array<Record<string, any>>
  params: Map<string, string>
  tags: Map<string, string>
}

const API = '/api/2.0/mlflow/'
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts/'

function error(status: number, code: string, message: string): JsonReply {
  return { status, body: { error_code: code, message } }
}

/**
 * Just enough of MLflow's tracking server for client tests, on 127.0.0.1 port 0: it records
 * every request and answers like MLflow (snake_case JSON, `{error_code, message}` errors,
 * log-batch limits), with per-test overrides for failures.
 */
export class FakeMlflowServer {
  readonly requests: RecordedRequest[] = []
  readonly experiments = new Map<string, string>()
  readonly runs = new Map<string, FakeRun>()
  readonly artifacts = new Map<string, Buffer>()
  /** Page size of `metrics/get-history`, small so tests see pagination. */
  historyPageSize = 2
  #overrides: Array<(request: RecordedRequest) => FakeReply> = []
  #server: Server
  url = ''

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake')
        const body = Buffer.concat(chunks)
        let json: any
        try {
          json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined
        } catch {
          json = undefined
        }
        const request: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          endpoint: url.pathname.startsWith(API) ? url.pathname.slice(API.length) : url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          json,
        }
        this.requests.push(request)
        this.#reply(res, this.#answer(request))
      })
    })
  }

  static async start(): Promise<FakeMlflowServer> {
    const fake = new FakeMlflowServer()
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve))
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`
    return fake
  }

  /** Answers matching requests first; return undefined to fall through to normal handling. */
  intercept(handler: (request: RecordedRequest) => FakeReply): void {
    this.#overrides.push(handler)
  }

  to(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => r.endpoint === endpoint)
  }

  reset(): void {
    this.requests.length = 0
    this.#overrides = []
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  #reply(res: ServerResponse, reply: FakeReply): void {
    if (reply === 'destroy') {
      res.socket?.destroy()
      return
    }
    const { status, body } = reply ?? error(404, 'ENDPOINT_NOT_FOUND', 'No such endpoint')
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body ?? {}))
  }

  #answer(request: RecordedRequest): FakeReply {
    for (const override of this.#overrides) {
      const reply = override(request)
      if (reply !== undefined) return reply
    }
    if (request.method === 'PUT' && request.path.startsWith(ARTIFACTS)) {
      const path = request.path.slice(ARTIFACTS.length).split('/').map(decodeURIComponent)
      this.artifacts.set(path.join('/'), request.body)
      return { status: 200, body: {} }
    }
    const body = request.json ?? {}
    const q = request.query
    switch (`${request.method} ${request.endpoint}`) {
      case 'GET experiments/get-by-name': {
        const name = q.get('experiment_name') ?? ''
        const id = this.experiments.get(name)
        if (id === undefined) {
          return error(
            404,
            'RESOURCE_DOES_NOT_EXIST',
            `Could not find experiment with name ${name}`,
          )
        }
        return { status: 200, body: { experiment: this.#experiment(id, name) } }
      }
      case 'POST experiments/create':
        return this.#createExperiment(String(body.name))
      case 'POST runs/create':
        return this.#createRun(body)
      case 'POST runs/log-batch':
        return this.#logBatch(body)
      case 'POST runs/update': {
        const run = this.runs.get(body.run_id)
        if (!run) return error(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${body.run_id}' not found`)
        Object.assign(run.info, { status: body.status, end_time: body.end_time })
        return { status: 200, body: { run_info: run.info } }
      }
      case 'GET runs/get': {
        const run = this.runs.get(q.get('run_id') ?? '')
        if (!run) return error(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${q.get('run_id')}' not found`)
        return { status: 200, body: { run: this.#runToWire(run) } }
      }
      case 'POST runs/search': {
        const ids: string[] = body.experiment_ids ?? []
        const all = [...this.runs.values()].filter((r) => ids.includes(r.info.experiment_id))
        const offset = Number(body.page_token ?? 0)
        const max = body.max_results ?? 1000
        const page = all.slice(offset, offset + max)
        const more = offset + max < all.length
        const next = more ? { next_page_token: String(offset + max) } : {}
        return { status: 200, body: { runs: page.map((r) => this.#runToWire(r)), ...next } }
      }
      case 'GET metrics/get-history': {
        const run = this.runs.get(q.get('run_id') ?? '')
        const all = (run?.metrics ?? []).filter((m) => m.key === q.get('metric_key'))
        const offset = Number(q.get('page_token') ?? 0)
        const page = all.slice(offset, offset + this.historyPageSize)
        const end = offset + this.historyPageSize
        const next = end < all.length ? { next_page_token: String(end) } : {}
        return { status: 200, body: { metrics: page, ...next } }
      }
      case 'POST runs/set-tag': {
        this.runs.get(body.run_id)?.tags.set(body.key, body.value)
        return { status: 200, body: {} }
      }
      default:
        return undefined
    }
  }

  #experiment(id: string, name: string) {
    return {
      experiment_id: id,
      name,
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: 'active',
    }
  }

  #createExperiment(name: string): FakeReply {
    if (this.experiments.has(name)) {
      return error(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`)
    }
    const id = String(this.experiments.size + 1)
    this.experiments.set(name, id)
    return { status: 200, body: { experiment_id: id } }
  }

  #createRun(body: any): FakeReply {
    const runId = randomUUID().replaceAll('-', '')
    const experimentId = String(body.experiment_id)
    const info = {
      run_id: runId,
      run_uuid: runId,
      experiment_id: experimentId,
      run_name: body.run_name ?? 'brave-fox-1',
      user_id: body.user_id ?? '',
      status: 'RUNNING',
      start_time: body.start_time,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      lifecycle_stage: 'active',
    }
    const tags = new Map<string, string>((body.tags ?? []).map((t: any) => [t.key, t.value]))
    this.runs.set(runId, { info, metrics: [], params: new Map(), tags })
    return { status: 200, body: { run: this.#runToWire(this.runs.get(runId)!) } }
  }

  #logBatch(body: any): FakeReply {
    const run = this.runs.get(body.run_id)
    if (!run) return error(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${body.run_id}' not found`)
    const metrics = body.metrics ?? []
    const params = body.params ?? []
    const tags = body.tags ?? []
    const over = metrics.length > 1000 || params.length > 100 || tags.length > 100
    if (over || metrics.length + params.length + tags.length > 1000) {
      return error(400, 'INVALID_PARAMETER_VALUE', 'A batch logging request is over the limits')
    }
    run.metrics.push(...metrics)
    for (const p of params) run.params.set(p.key, p.value)
    for (const t of tags) run.tags.set(t.key, t.value)
    return { status: 200, body: {} }
  }

  #runToWire(run: FakeRun) {
    const latest = new Map<string, Record<string, any>>()
    for (const m of run.metrics) latest.set(m.key, m)
    const kv = (map: Map<string, string>) => [...map].map(([key, value]) => ({ key, value }))
    return {
      info: run.info,
      data: { metrics: [...latest.values()], params: kv(run.params), tags: kv(run.tags) },
    }
  }
}
