#!/usr/bin/env node
// Starts a throwaway s3rver for the S3 artifact-store tests.
// CI: `node scripts/start-s3rver.mjs 4569 &` then PLINTH_TEST_S3_ENDPOINT=http://127.0.0.1:4569.
// Data lives in a fresh temp directory that is removed on exit, so runs never see stale buckets.
// Usage: node scripts/start-s3rver.mjs [port]
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'

const host = '127.0.0.1'
const port = Number(process.argv[2] ?? 4569)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`invalid port ${JSON.stringify(process.argv[2])}; expected an integer 1-65535`)
  process.exit(2)
}

const directory = mkdtempSync(join(tmpdir(), 'plinth-s3rver-'))
const removeData = () => rmSync(directory, { recursive: true, force: true })
const s3rver = new S3rver({ directory, silent: true })
// s3rver.run() leaves listen errors (EADDRINUSE) as an unhandled 'error' event that crashes the
// process and leaks the temp directory, so it is served from a server we own instead.
const server = createServer(s3rver.callback())

try {
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
} catch (error) {
  removeData()
  console.error(`s3rver failed to start on ${host}:${port}: ${error.message}`)
  process.exit(1)
}
console.log(`s3rver listening on http://${host}:${port}`)

function stop() {
  removeData()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
