import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { readCsvColumns } from './csv-columns.js'
import { csvToDriftFrame } from './csv-frame.js'
import type { DriftFrame } from './detect-drift.js'
import { syntheticCsv } from './drift-test-data.test-helper.js'

const dir = mkdtempSync(join(tmpdir(), 'plinth-csv-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

function read(text: string, chunkBytes?: number): DriftFrame {
  const path = join(dir, `t${files++}.csv`)
  writeFileSync(path, text)
  return readCsvColumns(path, 'reference', chunkBytes === undefined ? {} : { chunkBytes })
}

/** Same columns, kinds, integer flags and values (NaN and −0 included) as the string parser. */
function assertSameFrame(actual: DriftFrame, expected: DriftFrame): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()])
  for (const [name, want] of expected) {
    const got = actual.get(name)!
    assert.equal(got.kind, want.kind, `${name}: kind`)
    if (got.kind === 'numerical' && want.kind === 'numerical') {
      assert.equal(got.integer, want.integer, `${name}: integer`)
      assert.deepEqual(Array.from(got.values), Array.from(want.values), name)
    } else assert.deepEqual(got.values, want.values, name)
  }
}

describe('readCsvColumns', () => {
  it('should type and read a mixed table exactly as the string parser does, across chunk boundaries', () => {
    const text = syntheticCsv({ rows: 2000, seed: 11, shift: 0.3, junk: 0.1 })
    const expected = csvToDriftFrame(text)
    assertSameFrame(read(text), expected)
    assertSameFrame(read(text, 64), expected)
  })

  it('should handle quotes, CRLF, blank lines, short rows, infinities and a BOM', () => {
    const text = '\uFEFFa,"b ""x""",c\r\n1,"2",x\r\n\r\n-3.5e2,inf,"y,z"\r\n4,-Infinity\r\n,NaN,""\r\n'
    const got = read(text, 16)
    assertSameFrame(got, csvToDriftFrame(text.slice(1)))
    assert.deepEqual([...got.keys()], ['a', 'b "x"', 'c'])
    const c = got.get('c')!
    assert.equal(c.kind, 'categorical')
    assert.deepEqual(c.values, ['x', 'y,z', null, null])
  })

  it('should re-read a column as text when a late cell is not a number', () => {
    const lines = ['n,m', ...Array.from({ length: 500 }, (_, i) => `${i},${i % 7}`), '1.5,seven']
    const got = read(`${lines.join('\n')}\n`, 100)
    assert.equal(got.get('n')!.kind, 'numerical')
    const m = got.get('m')!
    assert.equal(m.kind, 'categorical')
    assert.equal(m.values[0], '0')
    assert.equal(m.values.at(-1), 'seven')
  })

  it('should keep 16+ digit and tiny numbers as exact as Number() does', () => {
    const text = 'v\n0.1234567890123456789\n123456789012345678\n1e-300\n-0\n2.5E+3\n'
    assertSameFrame(read(text), csvToDriftFrame(text))
  })

  it('should reject an empty file, a row longer than the header and duplicate names as invalid parameters', () => {
    assert.throws(() => read(''), (e: { code?: string; message: string }) => e.code === 'INVALID_PARAMETER_VALUE' && /empty/.test(e.message))
    assert.throws(() => read('a,b\n1,2,3\n'), /Line 2 .* more cells than its 2-column header/)
    assert.throws(() => read('a,a\n1,2\n'), /names column 'a' twice/)
  })
})
