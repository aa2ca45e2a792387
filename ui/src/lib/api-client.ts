/**
 * Calls Plinth's HTTP API with the signed-in token (when the server runs with --auth) and turns
 * every error answer into an ApiError carrying the server's own code and message, so pages show
 * what went wrong instead of going blank.
 */
const TOKEN_KEY = 'plinth.token'
export const UNAUTHENTICATED_EVENT = 'plinth:unauthenticated'

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
}

export type Query = Record<string, string | number | boolean | undefined | null | Array<string | number>>

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item))
    else params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /** Read the answer as text (Prometheus exposition, step logs). */
  text?: boolean
}

function headers(options: RequestOptions): Record<string, string> {
  const result: Record<string, string> = {}
  const token = storedToken()
  if (token) result.authorization = `Bearer ${token}`
  if (options.body !== undefined) result['content-type'] = 'application/json'
  return result
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string }
    return new ApiError(response.status, body.error_code ?? `HTTP_${response.status}`, body.message ?? response.statusText)
  } catch {
    return new ApiError(response.status, `HTTP_${response.status}`, text.slice(0, 300) || response.statusText || 'The server did not answer.')
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response
  try {
    response = await fetch(path + queryString(options.query), {
      method: options.method ?? 'GET',
      headers: headers(options),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK_ERROR', `Could not reach the server (${(error as Error).message}). Is plinth server running?`)
  }
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT, { detail: error.message }))
    throw error
  }
  return (options.text ? await response.text() : await response.json()) as T
}

export const MLFLOW = '/ajax-api/2.0/mlflow'
export const PLINTH = '/api/plinth/v1'
