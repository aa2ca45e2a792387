import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isS3NotFound, isS3NotImplemented, mapS3Error } from './s3-errors.js'

const context = { rootUri: 's3://b/p', endpoint: 'http://minio:9000', action: 'list', path: 'x' }

function sdkError(name: string, status?: number, message = 'boom'): Error {
  const $metadata = status === undefined ? {} : { httpStatusCode: status }
  return Object.assign(new Error(message), { name, $metadata })
}

describe('mapS3Error', () => {
  it('treats socket failures, also nested, as TEMPORARILY_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const dualStack = new AggregateError([refused], 'all attempts failed')
    const wrapped = new Error('fetch failed', { cause: { code: 'ENOTFOUND' } })
    for (const error of [refused, dualStack, wrapped]) {
      const mapped = mapS3Error(error, context)
      assert.equal(mapped.code, 'TEMPORARILY_UNAVAILABLE')
      assert.match(mapped.message, /s3:\/\/b\/p unreachable.*http:\/\/minio:9000/)
      assert.equal(mapped.cause, error)
    }
  })

  it('treats 5xx, throttling and timeouts as TEMPORARILY_UNAVAILABLE', () => {
    for (const error of [
      sdkError('ServiceUnavailable', 503),
      sdkError('SlowDown', 503),
      sdkError('Whatever', 502),
      sdkError('TooMany', 429),
      sdkError('TimeoutError'),
    ]) {
      assert.equal(mapS3Error(error, context).code, 'TEMPORARILY_UNAVAILABLE', error.name)
    }
  })

  it('reports credential and bucket problems as INTERNAL_ERROR with a hint', () => {
    const denied = mapS3Error(sdkError('AccessDenied', 403), context)
    assert.equal(denied.code, 'INTERNAL_ERROR')
    assert.match(denied.message, /AWS_ACCESS_KEY_ID/)
    const bare = mapS3Error(sdkError('Unknown', 403, 'UnknownError'), context)
    assert.match(bare.message, /HTTP 403/)
    const noBucket = mapS3Error(sdkError('NoSuchBucket', 404), context)
    assert.equal(noBucket.code, 'INTERNAL_ERROR')
    assert.match(noBucket.message, /bucket does not exist/)
  })

  it('maps missing keys to RESOURCE_DOES_NOT_EXIST', () => {
    assert.equal(mapS3Error(sdkError('NoSuchKey', 404), context).code, 'RESOURCE_DOES_NOT_EXIST')
    assert.equal(isS3NotFound(sdkError('NotFound', 404)), true)
    assert.equal(isS3NotFound(sdkError('NoSuchBucket', 404)), false)
  })

  it('recognises servers lacking an operation', () => {
    assert.equal(isS3NotImplemented(sdkError('NotImplemented', 501)), true)
    assert.equal(isS3NotImplemented(sdkError('MethodNotAllowed', 405)), true)
    assert.equal(isS3NotImplemented(sdkError('AccessDenied', 403)), false)
  })
})
