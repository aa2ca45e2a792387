import type { ArtifactStore } from '../../artifacts/artifact-store.js'
import { createArtifactStore, type CreateArtifactStoreOptions } from '../../artifacts/create-artifact-store.js'
import type { ListedObject, ObjectLister } from './trigger-ports.js'

/** A prefix holding more files than this is listed only up to it (in path order), with a warning. */
export const MAX_LISTED_OBJECTS = 100_000

/**
 * Lists every file under an artifact prefix through the artifact store of that URI (S3, local
 * folder), walking folders since a store lists one level at a time. One store per prefix is
 * opened on first use and kept.
 */
export class ArtifactPrefixLister implements ObjectLister {
  readonly #options: CreateArtifactStoreOptions
  readonly #stores = new Map<string, Promise<ArtifactStore>>()
  readonly #warn: (message: string) => void

  constructor(options: { artifacts?: CreateArtifactStoreOptions; warn?: (message: string) => void } = {}) {
    this.#options = options.artifacts ?? {}
    this.#warn = options.warn ?? (() => {})
  }

  async list(prefixUri: string): Promise<ListedObject[]> {
    const store = await this.#open(prefixUri)
    const base = prefixUri.replace(/\/+$/, '')
    const objects: ListedObject[] = []
    const folders = ['']
    while (folders.length > 0) {
      for (const entry of await store.list(folders.shift()!)) {
        if (entry.isDir) folders.push(entry.path)
        else objects.push({ key: entry.path, uri: `${base}/${entry.path}`, size: entry.fileSize ?? 0 })
      }
      if (objects.length > MAX_LISTED_OBJECTS) break
    }
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    if (objects.length > MAX_LISTED_OBJECTS) this.#warn(`${prefixUri} holds more than ${MAX_LISTED_OBJECTS} files; only the first are watched. Point the trigger at a narrower prefix.`)
    return objects.slice(0, MAX_LISTED_OBJECTS)
  }

  async close(): Promise<void> {
    const stores = await Promise.allSettled(this.#stores.values())
    this.#stores.clear()
    await Promise.all(stores.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)))
  }

  #open(prefixUri: string): Promise<ArtifactStore> {
    let opened = this.#stores.get(prefixUri)
    if (opened === undefined) {
      opened = (async () => {
        const store = createArtifactStore(prefixUri, this.#options)
        await store.init()
        return store
      })()
      // A failed open (bucket unreachable) is retried on the next poll, not remembered.
      opened.catch(() => this.#stores.delete(prefixUri))
      this.#stores.set(prefixUri, opened)
    }
    return opened
  }
}
