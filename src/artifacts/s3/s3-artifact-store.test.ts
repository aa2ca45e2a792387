import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { describeArtifactStore, expectCode, readAll } from '../artifact-store.contract.js'
import { S3ArtifactStore } from './s3-artifact-store.js'
import type { S3ArtifactStoreOptions } from './s3-location.js'

const endpoint = process.env['PLINTH_TEST_S3_ENDPOINT']
// s3rver's built-in account; passed as options so the process env stays untouched
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const bucket = `plinth-test-${process.pid}-${Date.now().toString(36)}`
const skip =
  endpoint === undefined || endpoint === ''
    ? 'PLINTH_TEST_S3_ENDPOINT not set: start one with `node scripts/start-s3rver.mjs 4569 &` ' +
      'and set PLINTH_TEST_S3_ENDPOINT=http://127.0.0.1:4569'
    : false

function options(): S3ArtifactStoreOptions {
  return { endpoint: endpoint ?? '', credentials, region: 'us-east-1', env: {} }
}

function rawClient(): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
}

async function emptyBucket(client: S3Client): Promise<void> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
  const Objects = (listed.Contents ?? []).map(({ Key }) => ({ Key }))
  if (Objects.length > 0) {
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }))
  }
}

describe('S3ArtifactStore against a server', { skip }, () => {
  let client: S3Client
  let prefixes = 0

  before(async () => {
    client = rawClient()
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  })

  after(async () => {
    await emptyBucket(client)
    await client.send(new DeleteBucketCommand({ Bucket: bucket }))
    client.destroy()
  })

  describeArtifactStore('bucket root', async () => {
    const store = new S3ArtifactStore(`s3://${bucket}`, options())
    return { store, cleanup: () => emptyBucket(client) }
  })

  describeArtifactStore('key prefix', async () => {
    const store = new S3ArtifactStore(`s3://${bucket}/runs/${++prefixes}/artifacts/`, options())
    return { store, cleanup: () => emptyBucket(client) }
  })

  it('keeps a prefixed store inside its prefix', async () => {
    const inner = new S3ArtifactStore(`s3://${bucket}/p`, options())
    const sibling = new S3ArtifactStore(`s3://${bucket}/p2`, options())
    await Promise.all([inner.init(), sibling.init()])
    try {
      await sibling.put('x.txt', Readable.from([Buffer.from('sibling')]))
      await inner.put('x.txt', Readable.from([Buffer.from('inner')]))
      assert.equal(inner.rootUri, `s3://${bucket}/p`)
      assert.deepEqual(await inner.list(''), [{ path: 'x.txt', isDir: false, fileSize: 5 }])
      await inner.delete('')
      assert.equal((await readAll((await sibling.get('x.txt')).body)).toString(), 'sibling')
    } finally {
      await emptyBucket(client)
      await Promise.all([inner.close(), sibling.close()])
    }
  })

  it('ignores folder-marker objects that other tools create', async () => {
    const put = (Key: string, Body: Buffer) => new PutObjectCommand({ Bucket: bucket, Key, Body })
    await client.send(put('m/folder/', Buffer.alloc(0)))
    await client.send(put('m/folder/f.txt', Buffer.from('f')))
    const store = new S3ArtifactStore(`s3://${bucket}/m`, options())
    await store.init()
    try {
      assert.deepEqual(await store.list(''), [{ path: 'folder', isDir: true }])
      assert.deepEqual(await store.list('folder'), [
        { path: 'folder/f.txt', isDir: false, fileSize: 1 },
      ])
    } finally {
      await emptyBucket(client)
      await store.close()
    }
  })

  it('reports rejected credentials as INTERNAL_ERROR naming the variables to check', async () => {
    const wrong = { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' }
    const store = new S3ArtifactStore(`s3://${bucket}`, { ...options(), credentials: wrong })
    const error = await expectCode(store.init(), 'INTERNAL_ERROR')
    assert.match(error.message, /denied access.*AWS_ACCESS_KEY_ID/)
  })

  it('reports a missing bucket at init() with the bucket named', async () => {
    const store = new S3ArtifactStore('s3://plinth-no-such-bucket/x', options())
    const error = await expectCode(store.init(), 'INTERNAL_ERROR')
    assert.match(error.message, /s3:\/\/plinth-no-such-bucket\/x.*does not exist/)
  })
})

describe('S3ArtifactStore without a server', () => {
  it('maps an unreachable endpoint to TEMPORARILY_UNAVAILABLE', async () => {
    const store = new S3ArtifactStore('s3://plinth-test/some/prefix', {
      endpoint: 'http://127.0.0.1:1',
      credentials,
      maxAttempts: 1,
      env: {},
    })
    const error = await expectCode(store.init(), 'TEMPORARILY_UNAVAILABLE')
    assert.match(error.message, /s3:\/\/plinth-test\/some\/prefix unreachable/)
    assert.match(error.message, /http:\/\/127\.0\.0\.1:1/)
    assert.match(error.message, /ECONNREFUSED/)
  })

  it('refuses to work before init()', async () => {
    const store = new S3ArtifactStore('s3://plinth-test', { credentials, env: {} })
    await expectCode(store.list(''), 'INTERNAL_ERROR')
  })

  it('validates the part size without I/O', () => {
    assert.throws(
      () => new S3ArtifactStore('s3://plinth-test', { partSize: 1024 }),
      /at least 5242880 bytes/,
    )
  })
})
