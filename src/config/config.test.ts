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

describe('resolveConfig: --executor and --redis-url', () => {
  it('should default to the local executor and read PLINTH_EXECUTOR and PLINTH_REDIS_URL', () => {
    assert.deepEqual([resolveConfig({}, {}).executor, resolveConfig({}, {}).redisUrl], ['local', ''])
    const config = resolveConfig({}, { PLINTH_EXECUTOR: 'queue', PLINTH_REDIS_URL: 'redis://10.0.0.5:6379/2' })
    assert.deepEqual([config.executor, config.redisUrl], ['queue', 'redis://10.0.0.5:6379/2'])
  })

  it('should refuse an unknown executor, a URL that is not Redis, and the queue executor without Redis', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ executor: 'kubernetes' }, '--executor takes local or queue'],
      [{ redisUrl: 'http://127.0.0.1:6379' }, '--redis-url must be a Redis URL'],
      [{ executor: 'queue' }, '--executor queue needs --redis-url'],
    ]
    for (const [flags, message] of cases) {
      assert.throws(() => resolveConfig(flags, {}), (error) => isAppError(error) && error.code === 'INVALID_PARAMETER_VALUE' && error.message.includes(message), message)
    }
  })
})
