import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { AppError } from '../shared/errors.js'
import { ARTIFACT_STORE_SCHEMES, createArtifactStore } from './create-artifact-store.js'
import { LocalArtifactStore } from './local/local-artifact-store.js'
import { S3ArtifactStore } from './s3/s3-artifact-store.js'

describe('createArtifactStore', () => {
  it('maps plain paths and file:// URIs to a local store, without touching the disk', () => {
    const dir = join(tmpdir(), 'plinth-never-created', 'artifacts')
    const plain = createArtifactStore(dir)
    assert.ok(plain instanceof LocalArtifactStore)
    assert.equal(plain.rootUri, pathToFileURL(dir).href)
    const relative = createArtifactStore('./plinth-data/artifacts')
    assert.equal(relative.rootUri, pathToFileURL(resolve('plinth-data/artifacts')).href)
    const viaUri = createArtifactStore(pathToFileURL(dir).href)
    assert.ok(viaUri instanceof LocalArtifactStore)
    assert.equal(viaUri.rootUri, pathToFileURL(dir).href)
  })

  it('maps s3:// URIs to an S3 store', () => {
    const store = createArtifactStore('s3://my-bucket/mlflow/', { s3: { env: {} } })
    assert.ok(store instanceof S3ArtifactStore)
    assert.equal(store.rootUri, 's3://my-bucket/mlflow')
  })

  it('rejects other schemes, listing the supported ones', () => {
    assert.deepEqual([...ARTIFACT_STORE_SCHEMES].sort(), ['file', 's3'])
    for (const uri of ['gs://bucket/x', 'https://example.com/a', 'hdfs://n/x']) {
      assert.throws(
        () => createArtifactStore(uri),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === 'INVALID_PARAMETER_VALUE' &&
          error.message.includes('file://, s3://'),
      )
    }
  })

  it('rejects a file:// URI with a host', () => {
    assert.throws(
      () => createArtifactStore('file://server/share'),
      (error: unknown) => error instanceof AppError && error.code === 'INVALID_PARAMETER_VALUE',
    )
  })
})
