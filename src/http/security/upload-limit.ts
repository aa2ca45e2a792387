import { Readable } from 'node:stream'
import { AppError } from '../../shared/errors.js'

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The upload is larger than this server's --artifact-upload-limit of ${limit} bytes. Split the artifact, or ask the operator to raise the limit.`)
}

/**
 * Passes an upload's bytes through, failing it with PAYLOAD_TOO_LARGE past `limit` (0 = none).
 * A declared Content-Length over the limit is refused before a byte is read; a chunked body is
 * cut off as it crosses it, and the store drops the partial file.
 */
export function limitUpload(body: Readable, declaredLength: number | undefined, limit: number): Readable {
  if (limit === 0) return body
  if (declaredLength !== undefined && declaredLength > limit) throw tooLarge(limit)
  async function* pass(): AsyncGenerator<Buffer> {
    let seen = 0
    // Lazy, and body left undrained rather than destroyed on failure, so the 413 still reaches the client.
    for await (const raw of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw
      seen += chunk.length
      if (seen > limit) throw tooLarge(limit)
      yield chunk
    }
  }
  return Readable.from(pass(), { objectMode: false })
}
