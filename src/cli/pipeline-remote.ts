import { resolveClientConfig } from '../client/client-config.js'
import { AppError, ERROR_CODES, type ErrorCode } from '../shared/errors.js'

/** The few pipeline calls the CLI makes against a running server. */
export class PipelineRemote {
  readonly #base: string
  readonly #authorization: string | undefined

  constructor(trackingUri: string) {
    const config = resolveClientConfig({ trackingUri })
    this.#base = `${config.trackingUri.replace(/\/+$/, '')}/api/plinth/v1`
    this.#authorization = config.authorization
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = {}
    if (this.#authorization) headers.authorization = this.#authorization
    if (body !== undefined) headers['content-type'] = contentType
    let response: Response
    try {
      response = await fetch(`${this.#base}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) })
    } catch (error) {
      throw new AppError('TEMPORARILY_UNAVAILABLE', `Cannot reach the Plinth server at ${this.#base} (${(error as Error).message}); start it with 'plinth server' or fix --tracking-uri.`)
    }
    const text = await response.text()
    if (response.ok) return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T
    const parsed = safeJson(text) as { error_code?: string; message?: string } | undefined
    const code = (ERROR_CODES as readonly string[]).includes(parsed?.error_code ?? '') ? (parsed!.error_code as ErrorCode) : 'INTERNAL_ERROR'
    throw new AppError(code, parsed?.message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`)
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
