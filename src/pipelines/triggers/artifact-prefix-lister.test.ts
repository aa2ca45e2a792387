import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { S3ArtifactStore } from '../../artifacts/s3/s3-artifact-store.js'
import { ArtifactPrefixLister } from './artifact-prefix-lister.js'

const endpoint = process.env['PLINTH_TEST_S3_ENDPOINT']
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const skip = endpoint ? undefined : 'PLINTH_TEST_S3_ENDPOINT not set: start one with `node scripts/start-s3rver.mjs 4569 &`'
const s3 = { endpoint: endpoint ?? '', credentials, region: 'us-east-1', env: {} }

describe('artifact prefix lister on S3', { skip }, () => {
  const bucket = `triggers-${Date.now()}`
  const lister = new ArtifactPrefixLister({ artifacts: { s3 } })
  let writer: S3ArtifactStore
  before(async () => {
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
    client.destroy()
    writer = new S3ArtifactStore(`s3://${bucket}`, s3)
    await writer.init()
  })
  after(async () => {
    await lister.close()
    await writer.close()
  })

  // One level of nesting: s3rver 3.7 leaves out a common prefix two levels above its only key.
  it('should list every object under an s3:// prefix, nested ones included, with sizes and full URIs', async () => {
    for (const [path, text] of [['data/a.csv', 'a\n'], ['data/2026/b.csv', 'bb\n'], ['elsewhere/c.csv', 'c\n']] as const) await writer.put(path, Readable.from([text]))
    const objects = await lister.list(`s3://${bucket}/data/`)
    assert.deepEqual(objects, [
      { key: '2026/b.csv', uri: `s3://${bucket}/data/2026/b.csv`, size: 3 },
      { key: 'a.csv', uri: `s3://${bucket}/data/a.csv`, size: 2 },
    ])
  })
})
