import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { proxiedPath } from '../artifacts/artifact-service.js'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { AppError } from '../shared/errors.js'
import type { ModelFile } from './model-source.js'
import { readOnnxSignature } from './onnx-signature.js'
import type { PinnedModel } from './registry-entities.js'

/**
 * Pinned model bytes live in the artifact store under their content address,
 * `model-blobs/<sha256>.onnx`: registering the same bytes twice (or `models:/a/1` as model b)
 * stores them once, and a reader can check that what it got is what was registered.
 */
export const MODEL_BLOB_FOLDER = 'model-blobs'

/** Protobuf messages cannot exceed 2 GiB, so neither can a self-contained ONNX model. */
export const MAX_MODEL_BYTES = 2 ** 31 - 1

export function blobPath(sha256: string): string {
  return `${MODEL_BLOB_FOLDER}/${sha256}.onnx`
}

/** Reads a stream to its end, hashing as it goes; refuses more than `limit` bytes. */
export async function readHashed(body: Readable, limit: number, what: string): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
      size += buffer.length
      if (size > limit) {
        throw new AppError('INVALID_PARAMETER_VALUE', `${what} is larger than ${limit} bytes; ONNX models over 2 GiB keep weights as external data, which Plinth cannot register yet.`)
      }
      hash.update(buffer)
      chunks.push(buffer)
    }
  } finally {
    body.destroy()
  }
  return { bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') }
}

/**
 * Reads the model file, checks it is an ONNX model, extracts its signature and copies the bytes
 * to their content address (skipped when that blob already exists).
 * @throws AppError INVALID_PARAMETER_VALUE when the file is not a loadable ONNX model.
 */
export async function pinModel(file: ModelFile, source: string, store: ArtifactStore): Promise<PinnedModel> {
  const what = `Model source '${source}'`
  const opened = await file.open()
  const { bytes, sha256 } = await readHashed(opened.body, MAX_MODEL_BYTES, what)
  const signature = readOnnxSignature(bytes, what)
  const path = blobPath(sha256)
  if (!(await store.exists(path))) {
    await store.put(path, Readable.from(bytes), { contentLength: bytes.length })
  }
  return { sha256, sizeBytes: bytes.length, storageUri: `mlflow-artifacts:/${path}`, signature }
}

/**
 * The pinned bytes, verified against their hash, so a blob changed behind the registry's back
 * (the proxied artifact API can write anywhere in the store) is never served.
 * @throws AppError RESOURCE_DOES_NOT_EXIST if the blob is gone; INTERNAL_ERROR if it changed.
 */
export async function readPinned(pinned: PinnedModel, store: ArtifactStore, label: string): Promise<Buffer> {
  const file = await store.get(proxiedPath(pinned.storageUri))
  const { bytes, sha256 } = await readHashed(file.body, MAX_MODEL_BYTES, label)
  if (sha256 !== pinned.sha256) {
    throw new AppError('INTERNAL_ERROR', `The pinned bytes of ${label} at ${pinned.storageUri} no longer match their SHA-256 (${pinned.sha256}); the blob was modified outside the registry. Register the model again.`)
  }
  return bytes
}
