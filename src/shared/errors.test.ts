import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { EXIT_CODES } from '../cli/exit-codes.js'
import { HTTP_STATUS } from '../http/error-status.js'
import { ERROR_CODES } from './errors.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')

describe('docs/errors.md', () => {
  it('should have a section and a table row for every error code with its status and exit code', () => {
    for (const code of ERROR_CODES) {
      assert.match(doc, new RegExp(`^## ${code}$`, 'm'), `no section for ${code}`)
      assert.match(doc, new RegExp(`^\\| ${code} \\| ${HTTP_STATUS[code]} \\| ${EXIT_CODES[code]} \\|$`, 'm'), `table row for ${code} is wrong`)
    }
  })

  it('should list no code that the code base does not have', () => {
    const documented = [...doc.matchAll(/^## ([A-Z_]+)$/gm)].map((m) => m[1])
    assert.deepEqual(documented.filter((c) => !ERROR_CODES.includes(c as never)), [])
  })

  it('should give every error code a distinct CLI exit code', () => {
    const exits = Object.values(EXIT_CODES)
    assert.equal(new Set(exits).size, exits.length)
  })
})
