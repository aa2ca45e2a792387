import { resolveClientConfig } from '../client/client-config.js'
import { PlinthApiError, PlinthConnectionError } from '../client/client-errors.js'
import { HttpTransport } from '../client/http-transport.js'
import type { ModelReference } from '../registry/model-uri.js'
import { AppError, ERROR_CODES, type ErrorCode } from '../shared/errors.js'
import type { RunRecord, VersionRecord } from './ci-report-entities.js'
import type { CiRunSource } from './side-resolver.js'

interface WireKeyValue { key: string; value: unknown }
interface WireRun { info: { run_id: string; run_name?: string; experiment_id: string }; data?: { metrics?: WireKeyValue[]; params?: WireKeyValue[] } }
interface WireVersion { name: string; version: string; run_id?: string }

export interface HttpRunSourceOptions {
  trackingUri?: string
  /** Sent as a Bearer token; env PLINTH_TOKEN, then the client's own variables, when absent. */
  token?: string
  env?: Record<string, string | undefined>
  fetch?: typeof globalThis.fetch
}

/** MLflow's JSON writes non-finite metrics as strings. */
function metricValue(value: unknown): number {
  if (typeof value === 'number') return value
  if (value === 'Infinity') return Number.POSITIVE_INFINITY
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY
  return Number.NaN
}

function versionRecord(v: WireVersion): VersionRecord {
  return { name: v.name, version: Number(v.version), ...(v.run_id ? { runId: v.run_id } : {}) }
}

/** The client's errors as AppErrors, so the CLI maps them to exit codes like any other. */
function toAppError(error: unknown, server: string): unknown {
  if (error instanceof PlinthApiError) {
    const code = (ERROR_CODES as readonly string[]).includes(error.errorCode) ? (error.errorCode as ErrorCode) : 'INTERNAL_ERROR'
    const hint = code === 'UNAUTHENTICATED' ? ' The server has auth on: set PLINTH_TOKEN to an API token (plinth tokens create).' : ''
    return new AppError(code, `${error.message}${hint}`, { cause: error })
  }
  if (error instanceof PlinthConnectionError) {
    return new AppError('TEMPORARILY_UNAVAILABLE', `Could not reach the Plinth server at ${server} (${error.message}). Check --tracking-uri or PLINTH_TRACKING_URI.`, { cause: error })
  }
  return error
}

/** Reads runs and versions from a Plinth (or MLflow) server through the MLflow REST API. */
export class HttpRunSource implements CiRunSource {
  readonly #http: HttpTransport

  constructor(options: HttpRunSourceOptions = {}) {
    const env = options.env ?? process.env
    const token = options.token ?? (env.PLINTH_TOKEN?.trim() || undefined)
    let config
    try {
      config = resolveClientConfig({ trackingUri: options.trackingUri, token, env, fetch: options.fetch, retry: { maxAttempts: 3 }, requestTimeoutMs: 30_000 })
    } catch (error) {
      throw new AppError('INVALID_PARAMETER_VALUE', `${(error as Error).message}: pass --tracking-uri http://HOST:PORT.`)
    }
    this.#http = new HttpTransport(config)
  }

  get trackingUri(): string {
    return this.#http.trackingUri
  }

  async getRun(runId: string): Promise<RunRecord> {
    const { run } = await this.#call(() => this.#http.get<{ run: WireRun }>('runs/get', { run_id: runId }))
    const pairs = (list: WireKeyValue[] | undefined) => list ?? []
    return {
      runId: run.info.run_id,
      runName: run.info.run_name ?? '',
      experimentId: run.info.experiment_id,
      metrics: Object.fromEntries(pairs(run.data?.metrics).map((m) => [m.key, metricValue(m.value)])),
      params: Object.fromEntries(pairs(run.data?.params).map((p) => [p.key, String(p.value)])),
    }
  }

  async getVersion(ref: ModelReference): Promise<VersionRecord> {
    if ('version' in ref) {
      const body = await this.#call(() => this.#http.get<{ model_version: WireVersion }>('model-versions/get', { name: ref.name, version: ref.version }))
      return versionRecord(body.model_version)
    }
    if ('alias' in ref) {
      const body = await this.#call(() => this.#http.get<{ model_version: WireVersion }>('registered-models/alias', { name: ref.name, alias: ref.alias }))
      return versionRecord(body.model_version)
    }
    const stages = 'stage' in ref ? [ref.stage] : undefined
    const body = await this.#call(() => this.#http.post<{ model_versions?: WireVersion[] }>('registered-models/get-latest-versions', { name: ref.name, stages }))
    const newest = (body.model_versions ?? []).map(versionRecord).sort((a, b) => b.version - a.version)[0]
    if (!newest) throw new AppError('RESOURCE_DOES_NOT_EXIST', `Registered model '${ref.name}' has no version${stages ? ` in stage ${stages[0]}` : ''}.`)
    return newest
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      throw toAppError(error, this.#http.trackingUri)
    }
  }
}
