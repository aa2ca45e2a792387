#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx).
// Node 20's --test does not expand globs itself, so the files are listed here.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function collect(dir, out) {
  let entries
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const filters = process.argv.slice(2)
const files = [...collect('src', []), ...collect('test', [])]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
// `*.alone.test.ts` files disturb what other tests share (the postgres-restart test stops the
// machine's PostgreSQL for a few seconds), so they run after the rest, one at a time.
const alone = files.filter((f) => f.endsWith('.alone.test.ts'))
const together = files.filter((f) => !f.endsWith('.alone.test.ts'))
const run = (list, concurrency) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...list], { stdio: 'inherit' }).status ?? 1
let status = together.length > 0 ? run(together, 2) : 0
if (alone.length > 0) status = Math.max(status, run(alone, 1))
process.exit(status)
