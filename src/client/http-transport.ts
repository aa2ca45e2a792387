import type { ResolvedClientConfig } from './client-config.js'
import { PlinthApiError, PlinthConnectionError, errorCodeForStatus } from './client-errors.js'

/** Statuses that mean "try again later" rather than "this request is wrong". */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504])
const API_PREFIX = '/api/2.0/mlflow/'
const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts/'

export type Query = Record<string, string | number | undefined>

/** One upload; `body` is called per attempt because a consumed stream cannot be resent. */
export interface UploadSource {
  body: () => unknown
  contentType: string
  size?: number
}

interface Attempt {
  method: 'GET' | 'POST' | 'PUT'
  url: string
  label: string
  headers: Record<string, string>
  body?: () => unknown
  timeoutMs?: number
}

/** Deliberately ref'd: a retry pending is work in progress, and must keep the process alive. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

async function toApiError(response: Response, label: string): Promise<PlinthApiError> {
  const text = await response.text().catch(() => '')
  const body = parseJson(text) as { error_code?: unknown; message?: unknown } | undefined
  const errorCode =
    typeof body?.error_code === 'string' ? body.error_code : errorCodeForStatus(response.status)
  const message =
    typeof body?.message === 'string'
      ? body.message
      : text.trim().slice(0, 500) || `${response.status} ${response.statusText}`.trim()
  return new PlinthApiError(response.status, errorCode, message, label)
}

/**
 * The one place that talks HTTP: URLs, auth headers, timeouts, retries with exponential
 * backoff, and mapping MLflow's `{error_code, message}` bodies to `PlinthApiError`.
 */
export class HttpTransport {
  readonly #config: ResolvedClientConfig

  constructor(config: ResolvedClientConfig) {
    this.#config = config
  }

  get trackingUri(): string {
    return this.#config.trackingUri
  }

  /** `GET /api/2.0/mlflow/<endpoint>?query`; undefined query values are left out. */
  get<T>(endpoint: string, query: Query = {}): Promise<T> {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.append(key, String(value))
    }
    const search = params.toString() ? `?${params}` : ''
    return this.#json<T>({
      method: 'GET',
      url: `${this.#config.trackingUri}${API_PREFIX}${endpoint}${search}`,
      label: `GET ${endpoint}`,
      headers: this.#headers({}),
      timeoutMs: this.#config.requestTimeoutMs,
    })
  }

  /** `POST /api/2.0/mlflow/<endpoint>` with a JSON body. */
  post<T>(endpoint: string, body: unknown): Promise<T> {
    const json = JSON.stringify(body)
    return this.#json<T>({
      method: 'POST',
      url: `${this.#config.trackingUri}${API_PREFIX}${endpoint}`,
      label: `POST ${endpoint}`,
      headers: this.#headers({ 'content-type': 'application/json' }),
      body: () => json,
      timeoutMs: this.#config.requestTimeoutMs,
    })
  }

  /**
   * `PUT /api/2.0/mlflow-artifacts/artifacts/<path>`; `path` must already be URL-encoded per
   * segment. No timeout: a large model on a slow link is not a hung request.
   */
  async putArtifact(path: string, source: UploadSource): Promise<void> {
    const headers: Record<string, string> = { 'content-type': source.contentType }
    if (source.size !== undefined) headers['content-length'] = String(source.size)
    await this.#json<unknown>({
      method: 'PUT',
      url: `${this.#config.trackingUri}${ARTIFACTS_PREFIX}${path}`,
      label: `PUT artifacts/${path}`,
      headers: this.#headers(headers),
      body: source.body,
    })
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra }
    if (this.#config.authorization) headers.authorization = this.#config.authorization
    return headers
  }

  #delay(attempt: number, retryAfter?: number): number {
    const { baseDelayMs, maxDelayMs } = this.#config
    if (retryAfter !== undefined) return Math.min(retryAfter, maxDelayMs)
    // Half fixed, half random: clients that failed together do not all come back together.
    const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
    return exponential / 2 + (Math.random() * exponential) / 2
  }

  async #json<T>(request: Attempt): Promise<T> {
    const { maxAttempts } = this.#config
    for (let attempt = 1; ; attempt++) {
      let response: Response
      let text: string
      try {
        const body = request.body?.()
        response = await this.#config.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: body as RequestInit['body'],
          // Node's fetch needs this to send a stream body; harmless for strings.
          duplex: 'half',
          signal: request.timeoutMs ? AbortSignal.timeout(request.timeoutMs) : undefined,
        } as RequestInit)
        if (!response.ok) {
          if (!RETRYABLE_STATUSES.has(response.status) || attempt >= maxAttempts) {
            throw await toApiError(response, request.label)
          }
          const wait = parseRetryAfter(response.headers.get('retry-after'))
          // Read the body so the connection goes back to the pool before the wait.
          await response.arrayBuffer().catch(() => undefined)
          await sleep(this.#delay(attempt, wait))
          continue
        }
        text = await response.text()
      } catch (error) {
        if (error instanceof PlinthApiError) throw error
        if (attempt >= maxAttempts) throw new PlinthConnectionError(request.label, attempt, error)
        await sleep(this.#delay(attempt))
        continue
      }
      if (text.trim() === '') return {} as T
      const parsed = parseJson(text)
      if (parsed === undefined) {
        throw new PlinthApiError(
          response.status,
          'INVALID_RESPONSE',
          `Expected JSON from ${request.label}, got: ${text.slice(0, 200)}`,
          request.label,
        )
      }
      return parsed as T
    }
  }
}
