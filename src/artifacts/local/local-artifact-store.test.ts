import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { describeArtifactStore, expectCode } from '../artifact-store.contract.js'
import { LocalArtifactStore } from './local-artifact-store.js'

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'plinth-artifacts-'))
}

describeArtifactStore('LocalArtifactStore', async () => {
  const dir = await freshDir()
  // a root that does not exist yet, so init() must create it
  const store = new LocalArtifactStore(join(dir, 'nested', 'root'))
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) }
})

describe('LocalArtifactStore specifics', () => {
  let dir: string
  before(async () => {
    dir = await freshDir()
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reports a file:// rootUri for the absolute root and does no I/O when constructed', () => {
    const root = join(dir, 'not', 'created')
    const store = new LocalArtifactStore(root)
    assert.equal(store.rootUri, pathToFileURL(root).href)
  })

  it('refuses a root that is a file', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, 'x')
    await expectCode(new LocalArtifactStore(file).init(), 'INVALID_PARAMETER_VALUE')
  })

  it('leaves no temp files behind after a failed upload', async () => {
    const root = join(dir, 'failed')
    const store = new LocalArtifactStore(root)
    await store.init()
    async function* broken() {
      yield Buffer.alloc(10)
      throw new Error('boom')
    }
    await assert.rejects(store.put('f.bin', Readable.from(broken())), /boom/)
    const short = Readable.from([Buffer.from('abc')])
    await expectCode(store.put('g.bin', short, { contentLength: 4 }), 'BAD_REQUEST')
    assert.deepEqual(await readdir(root), [])
  })

  it('does not destroy the body when the write fails, leaving that to the caller', async () => {
    const store = new LocalArtifactStore(join(dir, 'own'))
    await store.init()
    const body = Readable.from([Buffer.from('12345')])
    await expectCode(store.put('x', body, { contentLength: 2 }), 'BAD_REQUEST')
    assert.equal(body.destroyed, false)
  })

  it('maps file/folder collisions to INVALID_PARAMETER_VALUE', async () => {
    const store = new LocalArtifactStore(join(dir, 'collide'))
    await store.init()
    await store.put('a', Readable.from([Buffer.from('x')]))
    await expectCode(store.put('a/b', Readable.from([Buffer.from('y')])), 'INVALID_PARAMETER_VALUE')
    await store.put('d/e', Readable.from([Buffer.from('y')]))
    await expectCode(store.put('d', Readable.from([Buffer.from('z')])), 'INVALID_PARAMETER_VALUE')
    assert.equal((await store.list('d')).length, 1)
  })
})
