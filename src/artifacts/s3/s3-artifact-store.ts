import { Readable } from 'node:stream'
import type { _Object } from '@aws-sdk/client-s3'
import { AppError } from '../../shared/errors.js'
import { normalizeArtifactFilePath, normalizeArtifactPath } from '../artifact-path.js'
import type { ArtifactFileInfo, ArtifactPutOptions, ArtifactStore } from '../artifact-store.js'
import { countBytes } from '../byte-count.js'
import { artifactNotFound, sortByPath } from '../store-support.js'
import { type S3Connection, createS3Client, loadS3Sdk } from './s3-client.js'
import { isS3NotFound, isS3NotImplemented, mapS3Error } from './s3-errors.js'
import {
  type ResolvedS3Settings,
  type S3ArtifactStoreOptions,
  type S3Location,
  formatS3Uri,
  parseS3Uri,
  resolveS3Settings,
} from './s3-location.js'

const MIB = 1024 * 1024
const DEFAULT_PART_SIZE = 8 * MIB
const MIN_PART_SIZE = 5 * MIB
const MAX_PARTS = 10_000
const DELETE_BATCH = 1000
const SINGLE_DELETE_CONCURRENCY = 8

/**
 * An {@link ArtifactStore} on `s3://bucket/prefix`, for AWS S3 and S3-compatible servers (MinIO,
 * s3rver, ...). The AWS SDK is loaded in init(), so deployments on local disk never pay for it.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly rootUri: string
  readonly #location: S3Location
  readonly #options: S3ArtifactStoreOptions
  readonly #settings: ResolvedS3Settings
  #connected: S3Connection | undefined
  #initializing: Promise<void> | undefined
  #deleteObjectsUnsupported = false

  /**
   * Parses the URI and resolves endpoint and region; no I/O.
   *
   * @throws AppError INVALID_PARAMETER_VALUE for a malformed URI or endpoint.
   */
  constructor(uri: string, options: S3ArtifactStoreOptions = {}) {
    this.#location = parseS3Uri(uri)
    this.#options = options
    this.#settings = resolveS3Settings(options)
    this.rootUri = formatS3Uri(this.#location)
    const { partSize } = options
    if (partSize !== undefined && !(Number.isInteger(partSize) && partSize >= MIN_PART_SIZE)) {
      throw new AppError(
        'INVALID_PARAMETER_VALUE',
        `Invalid S3 partSize ${partSize}; S3 parts must be integers of at least ${MIN_PART_SIZE} ` +
          'bytes',
      )
    }
  }

  init(): Promise<void> {
    this.#initializing ??= this.#connect().catch((error: unknown) => {
      this.#initializing = undefined
      throw error
    })
    return this.#initializing
  }

  async close(): Promise<void> {
    this.#connected?.client.destroy()
    this.#connected = undefined
    this.#initializing = undefined
  }

  async put(
    path: string,
    body: Readable,
    options: ArtifactPutOptions = {},
  ): Promise<{ size: number }> {
    const rel = normalizeArtifactFilePath(path)
    const { storage, client } = this.#ready()
    const counted = countBytes(body, options.contentLength, rel)
    // lib-storage buffers a part at a time and switches to multipart past the first part, so
    // memory stays at about partSize × queueSize whatever the file size.
    const upload = new storage.Upload({
      client,
      params: { Bucket: this.#location.bucket, Key: this.#key(rel), Body: counted.stream },
      partSize: this.#partSize(options.contentLength),
      queueSize: this.#options.queueSize ?? 4,
      leavePartsOnError: false,
    })
    try {
      await upload.done()
      return { size: counted.size }
    } catch (error) {
      if (counted.bodyError !== undefined && error === counted.bodyError) throw error
      throw this.#error(error, 'upload', rel)
    }
  }

  async get(path: string): Promise<{ body: Readable; size?: number }> {
    const rel = normalizeArtifactPath(path)
    if (rel === '') throw artifactNotFound(rel, this.rootUri)
    const { sdk, client } = this.#ready()
    try {
      const response = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(rel) }),
      )
      const raw = response.Body
      const size = response.ContentLength
      return size === undefined ? { body: toReadable(raw) } : { body: toReadable(raw), size }
    } catch (error) {
      if (isS3NotFound(error)) throw artifactNotFound(rel, this.rootUri)
      throw this.#error(error, 'download', rel)
    }
  }

  async list(path: string): Promise<ArtifactFileInfo[]> {
    const rel = normalizeArtifactPath(path)
    const { sdk, client } = this.#ready()
    const folderKey = this.#folderKey(rel)
    const infos: ArtifactFileInfo[] = []
    let token: string | undefined
    try {
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.#location.bucket,
            Prefix: folderKey,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        )
        for (const { Prefix } of page.CommonPrefixes ?? []) {
          const name = Prefix?.slice(folderKey.length, -1)
          if (name) infos.push({ path: joinRel(rel, name), isDir: true })
        }
        for (const object of page.Contents ?? []) {
          // the zero-byte "folder marker" some tools create is the folder itself, not a child
          const name = object.Key?.slice(folderKey.length)
          if (!name) continue
          infos.push({ path: joinRel(rel, name), isDir: false, fileSize: object.Size ?? 0 })
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token !== undefined)
    } catch (error) {
      throw this.#error(error, 'list', rel)
    }
    return sortByPath(infos)
  }

  async delete(path: string): Promise<void> {
    const rel = normalizeArtifactPath(path)
    const { sdk, client } = this.#ready()
    const Bucket = this.#location.bucket
    try {
      if (rel !== '') {
        await client.send(new sdk.DeleteObjectCommand({ Bucket, Key: this.#key(rel) }))
      }
      // Continuation tokens encode the last key seen, so deleting page by page is safe.
      let token: string | undefined
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket,
            Prefix: this.#folderKey(rel),
            ContinuationToken: token,
          }),
        )
        await this.#deleteKeys(keysOf(page.Contents))
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token !== undefined)
    } catch (error) {
      throw this.#error(error, 'delete', rel)
    }
  }

  async exists(path: string): Promise<boolean> {
    const rel = normalizeArtifactPath(path)
    if (rel === '') return false
    const { sdk, client } = this.#ready()
    try {
      await client.send(
        new sdk.HeadObjectCommand({ Bucket: this.#location.bucket, Key: this.#key(rel) }),
      )
      return true
    } catch (error) {
      if (isS3NotFound(error)) return false
      throw this.#error(error, 'check', rel)
    }
  }

  async #connect(): Promise<void> {
    if (this.#connected !== undefined) return
    const { sdk, storage } = await loadS3Sdk(this.rootUri)
    const client = createS3Client(sdk, this.#settings, this.#options)
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.#location.bucket }))
    } catch (error) {
      client.destroy()
      // HeadBucket responses have no body, so a missing bucket arrives as a bare 404
      const cause = isS3NotFound(error)
        ? Object.assign(new Error('bucket not found', { cause: error }), { name: 'NoSuchBucket' })
        : error
      throw this.#error(cause, 'open the bucket', '')
    }
    this.#connected = { sdk, storage, client }
  }

  #ready(): S3Connection {
    if (this.#connected === undefined) {
      throw new AppError(
        'INTERNAL_ERROR',
        `Artifact store ${this.rootUri} used before init() completed; call init() at startup`,
      )
    }
    return this.#connected
  }

  async #deleteKeys(keys: string[]): Promise<void> {
    const { sdk, client } = this.#ready()
    const Bucket = this.#location.bucket
    let done = 0
    while (done < keys.length && !this.#deleteObjectsUnsupported) {
      const batch = keys.slice(done, done + DELETE_BATCH)
      try {
        const result = await client.send(
          new sdk.DeleteObjectsCommand({
            Bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        )
        const failed = result.Errors?.[0]
        if (failed !== undefined) {
          const message = `${failed.Key}: ${failed.Message ?? 'delete failed'}`
          throw Object.assign(new Error(message), { name: failed.Code ?? 'DeleteFailed' })
        }
        done += batch.length
      } catch (error) {
        if (!isS3NotImplemented(error)) throw error
        this.#deleteObjectsUnsupported = true
      }
    }
    // Some S3 clones lack DeleteObjects; fall back to one request per key, a few at a time.
    for (; done < keys.length; done += SINGLE_DELETE_CONCURRENCY) {
      const batch = keys.slice(done, done + SINGLE_DELETE_CONCURRENCY)
      await Promise.all(
        batch.map((Key) => client.send(new sdk.DeleteObjectCommand({ Bucket, Key }))),
      )
    }
  }

  #key(rel: string): string {
    return this.#location.prefix === '' ? rel : `${this.#location.prefix}/${rel}`
  }

  /** The key prefix under which a folder's children live ('' for a bucket-root store's root). */
  #folderKey(rel: string): string {
    const key = rel === '' ? this.#location.prefix : this.#key(rel)
    return key === '' ? '' : `${key}/`
  }

  #partSize(contentLength: number | undefined): number {
    const configured = this.#options.partSize ?? DEFAULT_PART_SIZE
    if (contentLength === undefined) return configured
    // S3 caps an upload at 10 000 parts, so very large known sizes need bigger parts
    return Math.max(configured, Math.ceil(contentLength / MAX_PARTS))
  }

  #error(error: unknown, action: string, rel: string): AppError {
    return mapS3Error(error, {
      rootUri: this.rootUri,
      endpoint: this.#settings.endpoint,
      action,
      path: rel,
    })
  }
}

function joinRel(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`
}

function keysOf(objects: _Object[] | undefined): string[] {
  return (objects ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]))
}

function toReadable(raw: unknown): Readable {
  if (raw instanceof Readable) return raw
  const web = raw as { transformToWebStream?: () => unknown } | undefined
  if (typeof web?.transformToWebStream === 'function') {
    return Readable.fromWeb(web.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0])
  }
  return Readable.from([])
}
