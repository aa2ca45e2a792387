import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError, notFound } from '../shared/errors.js'
import { ChangeWatcher } from './change-watcher.js'
import { PlanCache } from './plan-cache.js'
import { servedVersion, type ServingPlan } from './serving-plan.js'

const plan = (name: string, version: number): ServingPlan => ({ name, resolution: 'champion', routes: [servedVersion(name, version)] })

/** A catalog whose answers the test sets, counting how often it is asked. */
function fakeCatalog() {
  const versions = new Map<string, number>([['churn', 1]])
  const calls: string[] = []
  const warmed: string[] = []
  let failWarm: string | undefined
  let unreachable = false
  const cache = new PlanCache<ServingPlan>({
    resolve: async (name) => {
      calls.push(name)
      if (unreachable) throw new AppError('TEMPORARILY_UNAVAILABLE', 'database down')
      const version = versions.get(name)
      if (version === undefined) throw notFound(`no ${name}`)
      return plan(name, version)
    },
    warm: async (next) => {
      const key = next.routes[0]!.key
      if (key === failWarm) throw new AppError('TEMPORARILY_UNAVAILABLE', `${key} failed to load`)
      warmed.push(key)
    },
    prepare: (p) => p,
    maxUnknown: 2,
  })
  return {
    cache, versions, calls, warmed,
    failWarmOf: (key: string | undefined) => (failWarm = key),
    setUnreachable: (value: boolean) => (unreachable = value),
  }
}

const codeOf = async (value: unknown) => {
  try {
    await value
    return 'ok'
  } catch (error) {
    return (error as AppError).code
  }
}

describe('PlanCache', () => {
  it('should resolve a name once and answer from memory after that, without a promise', async () => {
    const { cache, calls } = fakeCatalog()
    const [a, b] = await Promise.all([cache.get('churn'), cache.get('churn')])
    assert.deepEqual(a, b)
    const third = cache.get('churn')
    assert.ok(!(third instanceof Promise))
    assert.deepEqual(calls, ['churn'])
  })

  it('should remember unknown names until the next change, up to a limit', async () => {
    const { cache, calls, versions } = fakeCatalog()
    for (let i = 0; i < 3; i++) assert.equal(await codeOf(cache.get('fraud')), 'RESOURCE_DOES_NOT_EXIST')
    assert.equal(calls.filter((c) => c === 'fraud').length, 1)
    for (const name of ['a', 'b', 'c', 'c']) await codeOf(cache.get(name))
    assert.equal(calls.filter((c) => c === 'c').length, 2, 'past the limit unknown names are not remembered')
    versions.set('fraud', 4)
    assert.equal(await cache.refresh(), true)
    assert.equal((await cache.get('fraud')).routes[0]!.key, 'fraud/4')
  })

  it('should swap in a new plan on refresh only after its version is warmed up', async () => {
    const { cache, versions, warmed } = fakeCatalog()
    await cache.get('churn')
    versions.set('churn', 2)
    assert.equal(await cache.refresh(), true)
    assert.deepEqual(warmed, ['churn/2'])
    assert.equal((cache.get('churn') as ServingPlan).routes[0]!.key, 'churn/2')
  })

  it('should keep the old plan while the new version fails to load, and retry on the next refresh', async () => {
    const { cache, versions, failWarmOf } = fakeCatalog()
    await cache.get('churn')
    versions.set('churn', 3)
    failWarmOf('churn/3')
    assert.equal(await cache.refresh(), false)
    assert.equal((cache.get('churn') as ServingPlan).routes[0]!.key, 'churn/1')
    failWarmOf(undefined)
    assert.equal(await cache.refresh(), true)
    assert.equal((cache.get('churn') as ServingPlan).routes[0]!.key, 'churn/3')
  })

  it('should keep serving when the catalog is unreachable and drop names that are gone', async () => {
    const { cache, versions, setUnreachable } = fakeCatalog()
    await cache.get('churn')
    setUnreachable(true)
    assert.equal(await cache.refresh(), false)
    assert.equal((cache.get('churn') as ServingPlan).routes[0]!.key, 'churn/1')
    setUnreachable(false)
    versions.delete('churn')
    assert.equal(await cache.refresh(), true)
    assert.equal(await codeOf(cache.get('churn')), 'RESOURCE_DOES_NOT_EXIST')
  })

  it('should not keep a plan resolved across a change', async () => {
    const { cache, versions, calls } = fakeCatalog()
    const pending = cache.get('churn')
    versions.set('churn', 5)
    await cache.refresh()
    assert.equal((await pending).routes[0]!.key, 'churn/1', 'the caller still gets its answer')
    assert.equal((await cache.get('churn')).routes[0]!.key, 'churn/5')
    assert.equal(calls.length, 2)
  })
})

describe('ChangeWatcher', () => {
  it('should call onChange on the first poll and when the marker moves, and again after a failed change', async () => {
    let marker = 'a'
    let changes = 0
    let succeed = true
    const watcher = new ChangeWatcher({ read: async () => marker, onChange: async () => (changes++, succeed) })
    await watcher.poll()
    await watcher.poll()
    assert.equal(changes, 1)
    marker = 'b'
    succeed = false
    await watcher.poll()
    await watcher.poll()
    assert.equal(changes, 3, 'a change that could not be applied is retried')
    succeed = true
    await watcher.poll()
    await watcher.poll()
    assert.equal(changes, 4)
    assert.equal(watcher.healthy, true)
  })

  it('should report unhealthy while the marker cannot be read', async () => {
    const watcher = new ChangeWatcher({ read: async () => Promise.reject(new Error('down')), onChange: async () => true })
    await watcher.poll()
    assert.equal(watcher.polled, true)
    assert.equal(watcher.healthy, false)
  })
})
