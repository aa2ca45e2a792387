import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { translateError } from './translate-error.js'

const driverError = (code: string) => Object.assign(new Error('database is locked'), { code })

describe('translateError', () => {
  it('should map SQLite busy and locked codes, extended ones included, to TEMPORARILY_UNAVAILABLE', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) {
      assert.equal(translateError(driverError(code)).code, 'TEMPORARILY_UNAVAILABLE', code)
    }
  })

  it('should map PostgreSQL text it cannot store (a NUL byte) to INVALID_PARAMETER_VALUE', () => {
    for (const code of ['22021', '22P05']) assert.equal(translateError(driverError(code)).code, 'INVALID_PARAMETER_VALUE', code)
  })

  it('should map node-postgres lost-connection errors, which carry no code, to TEMPORARILY_UNAVAILABLE', () => {
    for (const message of ['Connection terminated unexpectedly', 'Connection terminated', 'Client was closed and is not queryable', 'timeout exceeded when trying to connect']) {
      assert.equal(translateError(new Error(message)).code, 'TEMPORARILY_UNAVAILABLE', message)
    }
  })

  it('should keep other driver errors INTERNAL_ERROR', () => {
    assert.equal(translateError(driverError('SQLITE_CORRUPT')).code, 'INTERNAL_ERROR')
    assert.equal(translateError(driverError('SQLITE_BUSYNESS')).code, 'INTERNAL_ERROR')
  })
})
