import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../shared/errors.js'

/** Where to look: path parameters and query strings everywhere; JSON bodies outside serving. */
const SOURCES = [
  ['params', 'path parameter'],
  ['query', 'query parameter'],
  ['body', 'parameter'],
] as const

// Serving bodies are tensors: a V2 BYTES element may hold any byte, and no row stores it as text.
const RAW_BODY_PREFIXES = ['/v1/', '/v2/']

/** The path (`tags[0].value`) of the first string holding U+0000, or undefined. */
function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path || '(body)' : undefined
  if (value === null || typeof value !== 'object' || depth > 64) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`, depth + 1)
      if (found) return found
    }
    return undefined
  }
  // Only parsed data: a streamed body (artifact uploads) is an IncomingMessage, a raw one a Buffer.
  if (Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return undefined
  for (const [key, item] of Object.entries(value)) {
    const name = path ? `${path}.${key}` : key
    if (key.includes('\0')) return name
    const found = findNul(item, name, depth + 1)
    if (found) return found
  }
  return undefined
}

function check(request: FastifyRequest): void {
  for (const [source, where] of SOURCES) {
    if (source === 'body' && RAW_BODY_PREFIXES.some((prefix) => request.url.startsWith(prefix))) continue
    const field = findNul(request[source], '')
    if (field !== undefined) {
      throw new AppError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for ${where} '${field}': it contains a NUL character (U+0000), which no name, id or text field may hold. Remove it and retry.`,
      )
    }
  }
}

/**
 * PostgreSQL refuses U+0000 in text, so a NUL in an id or name became a database error (a 500)
 * there while SQLite stored it; refusing it at the edge gives one 400 on every backend.
 */
export function installNulByteGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => check(request))
}
