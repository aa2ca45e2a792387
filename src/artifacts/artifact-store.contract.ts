// Behaviour every ArtifactStore adapter must share; each adapter's test file runs it.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { AppError, type ErrorCode } from '../shared/errors.js'
import type { ArtifactStore } from './artifact-store.js'

/** What a test file hands the suite: a fresh, empty store and how to dispose of it. */
export interface ArtifactStoreFixture {
  store: ArtifactStore
  cleanup(): Promise<void>
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks)
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  let caught: unknown
  await assert.rejects(promise, (error: unknown) => {
    caught = error
    return true
  })
  assert.ok(caught instanceof AppError, `expected AppError ${code}, got ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  return caught
}

async function putBytes(store: ArtifactStore, path: string, data: Buffer | string) {
  return store.put(path, Readable.from([Buffer.from(data)]))
}

async function getBytes(store: ArtifactStore, path: string): Promise<Buffer> {
  const { body, size } = await store.get(path)
  const bytes = await readAll(body)
  if (size !== undefined) assert.equal(size, bytes.length)
  return bytes
}

// Deterministic-enough pseudo-random chunks, generated lazily so ~50 MB never sits in memory.
function generatedBody(totalBytes: number, chunkBytes: number) {
  const hash = createHash('sha256')
  const seed = randomBytes(chunkBytes)
  async function* chunks() {
    for (let offset = 0, n = 0; offset < totalBytes; offset += chunkBytes, n++) {
      const chunk = Buffer.from(seed.subarray(0, Math.min(chunkBytes, totalBytes - offset)))
      chunk.writeUInt32BE(n, 0)
      hash.update(chunk)
      yield chunk
    }
  }
  return { body: Readable.from(chunks()), digest: () => hash.digest('hex') }
}

async function sha256OfStream(body: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of body) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { digest: hash.digest('hex'), bytes }
}

/**
 * Registers the shared ArtifactStore behaviour tests. `create` runs before every test and must
 * return an empty store; the suite calls init() on it, and after each test cleanup() then close().
 */
export function describeArtifactStore(
  name: string,
  create: () => Promise<ArtifactStoreFixture>,
): void {
  describe(name, () => {
    let fixture: ArtifactStoreFixture
    let store: ArtifactStore

    beforeEach(async () => {
      fixture = await create()
      store = fixture.store
      await store.init()
    })

    afterEach(async () => {
      await fixture.cleanup()
      await store.close()
    })

    it('round-trips binary bytes and reports the size', async () => {
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
      const data = Buffer.concat([everyByte, randomBytes(4096)])
      assert.deepEqual(await putBytes(store, 'bin/data.bin', data), { size: data.length })
      assert.deepEqual(await getBytes(store, 'bin/data.bin'), data)
      assert.deepEqual(await getBytes(store, './bin//data.bin'), data)
    })

    it('overwrites an existing file', async () => {
      await putBytes(store, 'x.txt', 'a much longer first version')
      await putBytes(store, 'x.txt', 'short')
      assert.equal((await getBytes(store, 'x.txt')).toString(), 'short')
      assert.deepEqual(await store.list(''), [{ path: 'x.txt', isDir: false, fileSize: 5 }])
    })

    it('stores and lists an empty file', async () => {
      assert.deepEqual(await store.put('empty', Readable.from([])), { size: 0 })
      assert.equal((await getBytes(store, 'empty')).length, 0)
      assert.equal(await store.exists('empty'), true)
      assert.deepEqual(await store.list(''), [{ path: 'empty', isDir: false, fileSize: 0 }])
    })

    it('lists direct children of nested folders, sorted, with sizes', async () => {
      await putBytes(store, 'b.txt', 'bbb')
      await putBytes(store, 'C.txt', 'CC')
      await putBytes(store, 'a-file', '1')
      await putBytes(store, 'a/1.bin', '12345')
      await putBytes(store, 'a/sub/2.bin', '')
      await putBytes(store, 'a/sub/3.bin', '1234567')
      await putBytes(store, 'a/sub/deeper/4.bin', '1234')
      assert.deepEqual(await store.list(''), [
        { path: 'C.txt', isDir: false, fileSize: 2 },
        { path: 'a', isDir: true },
        { path: 'a-file', isDir: false, fileSize: 1 },
        { path: 'b.txt', isDir: false, fileSize: 3 },
      ])
      const a = [
        { path: 'a/1.bin', isDir: false, fileSize: 5 },
        { path: 'a/sub', isDir: true },
      ]
      assert.deepEqual(await store.list('a'), a)
      assert.deepEqual(await store.list('a/'), a)
      assert.deepEqual(await store.list('./a//'), a)
      assert.deepEqual(await store.list('a/sub'), [
        { path: 'a/sub/2.bin', isDir: false, fileSize: 0 },
        { path: 'a/sub/3.bin', isDir: false, fileSize: 7 },
        { path: 'a/sub/deeper', isDir: true },
      ])
      assert.deepEqual(await store.list('missing'), [])
      assert.deepEqual(await store.list('b.txt'), [])
      assert.deepEqual(await store.list('a/s'), [])
    })

    it('keeps names with spaces and non-ASCII characters intact', async () => {
      const path = 'dir with space/ünïcødé + plus.txt'
      await putBytes(store, path, 'hi')
      assert.equal((await getBytes(store, path)).toString(), 'hi')
      assert.deepEqual(await store.list('dir with space'), [{ path, isDir: false, fileSize: 2 }])
    })

    it('throws RESOURCE_DOES_NOT_EXIST for a missing file, a folder or the root', async () => {
      await putBytes(store, 'folder/file.txt', 'x')
      const error = await expectCode(store.get('nope.txt'), 'RESOURCE_DOES_NOT_EXIST')
      assert.match(error.message, /nope\.txt/)
      await expectCode(store.get('folder'), 'RESOURCE_DOES_NOT_EXIST')
      await expectCode(store.get('folder/file.txt/more'), 'RESOURCE_DOES_NOT_EXIST')
      await expectCode(store.get(''), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('tells files from folders and absent paths in exists()', async () => {
      await putBytes(store, 'folder/file.txt', 'x')
      assert.equal(await store.exists('folder/file.txt'), true)
      assert.equal(await store.exists('folder'), false)
      assert.equal(await store.exists('folder/other.txt'), false)
      assert.equal(await store.exists(''), false)
    })

    it('deletes a file, idempotently', async () => {
      await putBytes(store, 'f.txt', 'x')
      await putBytes(store, 'g.txt', 'y')
      await store.delete('f.txt')
      assert.equal(await store.exists('f.txt'), false)
      await store.delete('f.txt')
      await store.delete('never/existed')
      assert.deepEqual(await store.list(''), [{ path: 'g.txt', isDir: false, fileSize: 1 }])
    })

    it('deletes a folder recursively, sparing siblings that share its name prefix', async () => {
      await putBytes(store, 'run/a.txt', 'a')
      await putBytes(store, 'run/deep/er/b.txt', 'b')
      await putBytes(store, 'run-2/c.txt', 'c')
      await putBytes(store, 'runner.txt', 'd')
      await store.delete('run/')
      assert.deepEqual(await store.list(''), [
        { path: 'run-2', isDir: true },
        { path: 'runner.txt', isDir: false, fileSize: 1 },
      ])
      assert.deepEqual(await store.list('run'), [])
      await store.delete('run')
    })

    it("empties the whole store on delete('')", async () => {
      await putBytes(store, 'a/b.txt', 'b')
      await putBytes(store, 'c.txt', 'c')
      await store.delete('')
      assert.deepEqual(await store.list(''), [])
      await putBytes(store, 'again.txt', 'ok')
      assert.equal(await store.exists('again.txt'), true)
    })

    it('streams a ~50 MB upload generated on the fly and reads it back intact', async () => {
      const total = 50 * 1024 * 1024 + 12345
      const generated = generatedBody(total, 64 * 1024)
      assert.deepEqual(await store.put('big/blob.bin', generated.body), { size: total })
      const { body, size } = await store.get('big/blob.bin')
      if (size !== undefined) assert.equal(size, total)
      assert.deepEqual(await sha256OfStream(body), { digest: generated.digest(), bytes: total })
      assert.deepEqual(await store.list('big'), [
        { path: 'big/blob.bin', isDir: false, fileSize: total },
      ])
    })

    it('accepts a matching contentLength and rejects a mismatch without storing', async () => {
      await store.put('ok.txt', Readable.from([Buffer.from('12345')]), { contentLength: 5 })
      assert.equal((await getBytes(store, 'ok.txt')).toString(), '12345')
      const short = store.put('short.txt', Readable.from([Buffer.from('12345')]), {
        contentLength: 10,
      })
      assert.match((await expectCode(short, 'BAD_REQUEST')).message, /short\.txt.*10/)
      const long = Readable.from([Buffer.from('12345')])
      await expectCode(store.put('long.txt', long, { contentLength: 3 }), 'BAD_REQUEST')
      assert.equal(await store.exists('short.txt'), false)
      assert.equal(await store.exists('long.txt'), false)
    })

    it('rethrows a body error and keeps the previous version intact', async () => {
      await putBytes(store, 'keep.txt', 'version 1')
      const failure = new Error('client went away')
      async function* broken() {
        yield Buffer.alloc(1024, 1)
        throw failure
      }
      await assert.rejects(store.put('keep.txt', Readable.from(broken())), failure)
      await assert.rejects(store.put('new/file.txt', Readable.from(broken())), failure)
      assert.equal((await getBytes(store, 'keep.txt')).toString(), 'version 1')
      assert.equal(await store.exists('new/file.txt'), false)
      // no temp or partial file shows up; an empty folder may remain on a local disk
      assert.deepEqual(await store.list('new'), [])
      const files = (await store.list('')).filter((info) => !info.isDir)
      assert.deepEqual(files, [{ path: 'keep.txt', isDir: false, fileSize: 9 }])
    })

    it('rejects unsafe paths with INVALID_PARAMETER_VALUE in every method', async () => {
      for (const path of ['../x', 'a/../../b', '%2e%2e/x', '/etc/passwd', 'a\\..\\b', 'C:\\x']) {
        const body = Readable.from([Buffer.from('x')])
        await expectCode(store.put(path, body), 'INVALID_PARAMETER_VALUE')
        await expectCode(store.get(path), 'INVALID_PARAMETER_VALUE')
        await expectCode(store.list(path), 'INVALID_PARAMETER_VALUE')
        await expectCode(store.delete(path), 'INVALID_PARAMETER_VALUE')
        await expectCode(store.exists(path), 'INVALID_PARAMETER_VALUE')
      }
      await expectCode(store.put('', Readable.from([])), 'INVALID_PARAMETER_VALUE')
    })
  })
}
