import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
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

  it('should write a self-contained HTML report with a chart per feature and no rows', async () => {
    const html = join(dir, 'report.html')
    const result = await runCli(['drift', '--reference', reference, '--current', current, '--html', html])
    assert.equal(result.code, 0, result.stderr)
    const page = await readFile(html, 'utf8')
    assert.equal((page.match(/<svg /g) ?? []).length, 7)
    assert.doesNotMatch(page, /<script|<link|https?:\/\//)
    assert.match(page, /Drifted features/)
  })

  it('should compare against a profile made by plinth profile', async () => {
    const profile = join(dir, 'reference.profile.json')
    const made = await runCli(['profile', reference, '-o', profile])
    assert.equal(made.code, 0, made.stderr)
    const result = await runCli(['drift', '--reference', profile, '--current', current, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.columns.length, 7)
    assert.equal(report.dataset_drift, true)
  })

  it('should reject bad input with one clear line and exit code 3, never a crash', async () => {
    const header = join(dir, 'header-only.csv')
    const empty = join(dir, 'empty.csv')
    const other = join(dir, 'other-columns.csv')
    const ragged = join(dir, 'ragged.csv')
    await writeFile(header, 'normal,noisy\n')
    await writeFile(empty, '')
    await writeFile(other, 'x,y\n1,2\n')
    await writeFile(ragged, 'normal,noisy\n1,2\n3,4,5\n')
    const cases: [string, string, RegExp][] = [
      [header, current, /header but no rows/],
      [empty, current, /is empty/],
      [reference, other, /missing from the current data/],
      [ragged, current, /Line 3 .* more cells/],
    ]
    for (const [ref, cur, message] of cases) {
      const result = await runCli(['drift', '--reference', ref, '--current', cur])
      assert.equal(result.code, 3, `${ref}: ${result.stderr}`)
      assert.match(result.stderr, message)
      assert.doesNotMatch(result.stderr, /\bat .+:\d+:\d+/)
    }
    const missing = await runCli(['drift', '--reference', join(dir, 'nope.csv'), '--current', current])
    assert.match(missing.stderr, /Cannot read the reference file/)
  })

  it('should report text in a numeric column and count dropped NaN and infinite cells', async () => {
    // As pandas does: a column read as text keeps 'inf' as a category; only numeric columns drop it.
    const ref = join(dir, 'ref-mixed.csv')
    const cur = join(dir, 'cur-mixed.csv')
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 5}`)
    await writeFile(ref, `a,b\n${rows.join('\n')}\nnan,inf\n`)
    await writeFile(cur, `a,b\n${rows.join('\n')}\n7,oops\n,-inf\n`)
    const result = await runCli(['drift', '--reference', ref, '--current', cur, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.deepEqual(report.columns.map((c: { dropped_reference: number; dropped_current: number }) => [c.dropped_reference, c.dropped_current]), [[1, 1], [0, 0]])
    assert.equal(report.columns[1].type, 'categorical')
    assert.match(report.notes.join(' '), /Column 'b' is numeric on one side but the current holds text \(e\.g\. 'oops'\)/)
  })
})
