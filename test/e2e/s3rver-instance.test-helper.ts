import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

/** s3rver's built-in account. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/**
 * An s3rver this test owns, so it can take it away and bring it back on the same port and data
 * folder (a shared PLINTH_TEST_S3_ENDPOINT must not be stopped under other tests).
 */
export class S3rverInstance {
  readonly #directory = mkdtempSync(join(tmpdir(), 'plinth-s3-outage-'))
  #server: Server | undefined
  #port = 0
  #stalled = false

  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  async start(): Promise<void> {
    const handler = new S3rver({ directory: this.#directory, silent: true }).callback()
    // A stalled store takes the request and never answers, as a hung process or proxy does.
    const server = createServer((request, response) => (this.#stalled ? undefined : handler(request, response)))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#port, '127.0.0.1', () => resolve())
    })
    this.#port = (server.address() as { port: number }).port
    this.#server = server
  }

  /** While stalled, requests are accepted and left without an answer. */
  stall(stalled: boolean): void {
    this.#stalled = stalled
  }

  /** Refuses new connections and cuts open ones, as a crashed store would. */
  async stop(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (!server) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }

  async createBucket(bucket: string): Promise<void> {
    const client = new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS })
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
    } finally {
      client.destroy()
    }
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.#directory, { recursive: true, force: true })
  }
}
