import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { formatS3Uri, parseS3Uri, resolveS3Settings } from './s3-location.js'

function isInvalid(error: unknown): boolean {
  return error instanceof AppError && error.code === 'INVALID_PARAMETER_VALUE'
}

describe('parseS3Uri', () => {
  it('splits bucket and normalised prefix', () => {
    assert.deepEqual(parseS3Uri('s3://bucket'), { bucket: 'bucket', prefix: '' })
    assert.deepEqual(parseS3Uri('s3://bucket/'), { bucket: 'bucket', prefix: '' })
    assert.deepEqual(parseS3Uri('s3://my.bucket/a//b/'), { bucket: 'my.bucket', prefix: 'a/b' })
    assert.equal(formatS3Uri(parseS3Uri('s3://b-1/x/y/')), 's3://b-1/x/y')
  })

  it('rejects malformed URIs', () => {
    const bad = ['s3://', 's3://ab', 's3://b/../x', 's3://bucket?x=1', 'gs://bucket', 's3:/b']
    for (const uri of bad) {
      assert.throws(() => parseS3Uri(uri), isInvalid, uri)
    }
  })
})

describe('resolveS3Settings', () => {
  it('defaults to AWS: no endpoint, us-east-1, virtual-host style', () => {
    assert.deepEqual(resolveS3Settings({}, {}), {
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
      sdkDefaultChecksums: true,
      requestTimeoutMs: 60_000,
    })
  })

  it('should take the request timeout from PLINTH_S3_REQUEST_TIMEOUT_MS and refuse a value that is not a positive whole number', () => {
    assert.equal(resolveS3Settings({}, { PLINTH_S3_REQUEST_TIMEOUT_MS: '1500' }).requestTimeoutMs, 1500)
    assert.equal(resolveS3Settings({ requestTimeoutMs: 10 }, { PLINTH_S3_REQUEST_TIMEOUT_MS: '1500' }).requestTimeoutMs, 10)
    for (const bad of ['0', '-5', '1.5', 'soon']) {
      assert.throws(() => resolveS3Settings({}, { PLINTH_S3_REQUEST_TIMEOUT_MS: bad }), /PLINTH_S3_REQUEST_TIMEOUT_MS/)
    }
  })

  it('takes the endpoint from options, then env in documented order', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://generic:1',
      AWS_ENDPOINT_URL_S3: 'http://aws-s3:1',
      MLFLOW_S3_ENDPOINT_URL: 'http://mlflow:1',
      PLINTH_S3_ENDPOINT_URL: ' ',
    }
    assert.equal(resolveS3Settings({ endpoint: 'http://opt:1' }, env).endpoint, 'http://opt:1')
    assert.equal(resolveS3Settings({}, env).endpoint, 'http://mlflow:1')
    const plinth = { ...env, PLINTH_S3_ENDPOINT_URL: 'http://p:1' }
    assert.equal(resolveS3Settings({}, plinth).endpoint, 'http://p:1')
    const { MLFLOW_S3_ENDPOINT_URL: _, ...withoutMlflow } = env
    assert.equal(resolveS3Settings({}, withoutMlflow).endpoint, 'http://aws-s3:1')
    const settings = resolveS3Settings({}, { AWS_ENDPOINT_URL: 'http://generic:1' })
    assert.equal(settings.endpoint, 'http://generic:1')
    assert.equal(settings.forcePathStyle, true)
    assert.equal(settings.sdkDefaultChecksums, false)
  })

  it('takes the region from options, AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }
    assert.equal(resolveS3Settings({ region: 'ap-south-1' }, env).region, 'ap-south-1')
    assert.equal(resolveS3Settings({}, env).region, 'eu-west-1')
    const fallback = resolveS3Settings({}, { AWS_DEFAULT_REGION: 'eu-central-1' })
    assert.equal(fallback.region, 'eu-central-1')
  })

  it('rejects a non-http endpoint, naming where it came from', () => {
    assert.throws(
      () => resolveS3Settings({}, { MLFLOW_S3_ENDPOINT_URL: 'minio:9000' }),
      (error: unknown) =>
        isInvalid(error) && /MLFLOW_S3_ENDPOINT_URL/.test((error as Error).message),
    )
  })
})
