import assert from 'node:assert/strict'
import { AppError } from '../shared/errors.js'
import { parseRunFilter } from './search-filter.js'
import type { FilterClause } from './search-filter-types.js'

export function assertInvalid(fn: () => unknown, fragment: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.match(error.message, fragment)
    return true
  })
}

export function only(filter: string, parse = parseRunFilter): FilterClause {
  const clauses = parse(filter)
  assert.equal(clauses.length, 1)
  return clauses[0] as FilterClause
}
