// s3rver ships no types; only what the outage test uses.
declare module 's3rver' {
  import type { RequestListener } from 'node:http'
  export default class S3rver {
    constructor(options: { directory: string; silent?: boolean })
    callback(): RequestListener
  }
}
