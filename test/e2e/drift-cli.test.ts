import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { syntheticCsv } from '../../src/monitoring/drift/drift-test-data.test-helper.js'
import { makeTempDir, removeTempDir, runCli } from './plinth-process.test-helper.js'

/** `plinth drift` as a batch job runs it: two CSV files in, a report out. */
describe('plinth drift', () => {
  let dir: string
  let reference: string
  let current: string

  before(async () => {
    dir = await makeTempDir('drift-cli')
    reference = join(dir, 'reference.csv')
    current = join(dir, 'current.csv')
    await writeFile(reference, syntheticCsv({ rows: 500, seed: 1, shift: 0 }))
    await writeFile(current, syntheticCsv({ rows: 500, seed: 2, shift: 1 }))
  })
  after(() => removeTempDir(dir))

  it('should print one JSON entry per column and the dataset verdict with --json', async () => {
    const result = await runCli(['drift', '--reference', reference, '--current', current, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.columns.length, 7)
    assert.equal(report.dataset_drift, true)
  })

  it('should print a table and a summary line for people', async () => {
    const result = await runCli(['drift', '--reference', reference, '--current', current, '--method', 'psi'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^COLUMN\s+TYPE\s+TEST/)
    assert.match(result.stdout, /\d+ of 7 columns drifted/)
  })

  it('should exit with INVALID_PARAMETER_VALUE for an unknown method', async () => {
    const result = await runCli(['drift', '--reference', reference, '--current', current, '--method', 'nope'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /Unknown drift method 'nope'/)
  })
})
