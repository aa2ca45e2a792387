import { Readable } from 'node:stream'
import { AppError } from '../shared/errors.js'

/** A pass-through view of an upload body that counts bytes and remembers the body's own error. */
export interface CountedBody {
  readonly stream: Readable
  /** Bytes seen so far; final once `stream` has ended. */
  readonly size: number
  /** The error `body` itself failed with, so stores can rethrow it untouched. */
  readonly bodyError: unknown
}

/**
 * Wraps `body` so that the bytes passing through are counted and, when `expected` is given, a
 * length mismatch fails the stream before its end is signalled: a store then aborts the write
 * instead of committing a truncated file.
 */
export function countBytes(
  body: Readable,
  expected: number | undefined,
  path: string,
): CountedBody {
  let size = 0
  let bodyError: unknown
  async function* pass(): AsyncGenerator<Buffer> {
    let mismatch: AppError | undefined
    try {
      // The caller owns body: when the store gives up early, body is left paused rather than
      // destroyed, so an HTTP layer can still send its error response (Node drains the rest).
      const chunks = body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>
      for await (const raw of chunks) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw
        size += chunk.length
        if (expected !== undefined && size > expected) {
          throw (mismatch = lengthMismatch(path, expected, size))
        }
        yield chunk
      }
    } catch (error) {
      if (error !== mismatch) bodyError = error
      throw error
    }
    if (expected !== undefined && size !== expected) throw lengthMismatch(path, expected, size)
  }
  const stream = Readable.from(pass(), { objectMode: false })
  return {
    stream,
    get size() {
      return size
    },
    get bodyError() {
      return bodyError
    },
  }
}

function lengthMismatch(path: string, expected: number, actual: number): AppError {
  const seen = actual > expected ? `more than ${expected}` : `${actual}`
  return new AppError(
    'BAD_REQUEST',
    `Upload of artifact ${JSON.stringify(path)} declared ${expected} bytes but sent ${seen}; ` +
      'resend the complete file',
    { details: { path, expectedBytes: expected } },
  )
}
