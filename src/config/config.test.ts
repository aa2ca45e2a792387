import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isAppError } from '../shared/errors.js'
import { resolveConfig } from './config.js'

describe('resolveConfig: --price-per-core-hour', () => {
  it('should default to 0 (no price) and read the flag, then PLINTH_PRICE_PER_CORE_HOUR', () => {
    assert.equal(resolveConfig({}, {}).pricePerCoreHour, 0)
    assert.equal(resolveConfig({}, { PLINTH_PRICE_PER_CORE_HOUR: '0.031' }).pricePerCoreHour, 0.031)
    assert.equal(resolveConfig({ pricePerCoreHour: '0.5' }, { PLINTH_PRICE_PER_CORE_HOUR: '0.031' }).pricePerCoreHour, 0.5)
  })

  it('should refuse a negative or non-numeric price with INVALID_PARAMETER_VALUE naming the flag', () => {
    for (const bad of ['-1', 'cheap', 'Infinity', ' ']) {
      assert.throws(
        () => resolveConfig({ pricePerCoreHour: bad }, {}),
        (error) => isAppError(error) && error.code === 'INVALID_PARAMETER_VALUE' && error.message.includes('--price-per-core-hour') && error.message.includes('PLINTH_PRICE_PER_CORE_HOUR'),
        bad,
      )
    }
  })
})
