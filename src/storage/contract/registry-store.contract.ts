import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { NewModelVersion, PinnedModel, RegistryQuery, RegistryStore } from '../../registry/index.js'
import type { AppError } from '../../shared/errors.js'
import { parseModelOrderBy, parseModelVersionFilter, parseRegisteredModelFilter } from '../../tracking/search-filter.js'
import { SqlRegistryStore } from '../sql/registry/sql-registry-store.js'
import type { TestBackend } from './test-databases.js'

const pinned: PinnedModel = {
  sha256: 'a'.repeat(64),
  sizeBytes: 123,
  storageUri: `mlflow-artifacts:/model-blobs/${'a'.repeat(64)}.onnx`,
  signature: { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 8], dimParams: ['batch', null] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] },
}

let clock = 1_700_000_000_000
const tick = () => (clock += 10)
const actor = (userId = 'alice') => ({ userId, now: tick() })

function version(name: string, extra: Partial<NewModelVersion> = {}): NewModelVersion {
  return { name, source: 'runs:/r1/model', tags: [], downloadUri: 'mlflow-artifacts:/0/r1/artifacts/model', pinned, now: tick(), ...extra }
}

function models(filter = '', orderBy: string[] = [], limit = 100, offset = 0): RegistryQuery {
  return { filter: parseRegisteredModelFilter(filter), orderBy: orderBy.map((o) => parseModelOrderBy(o, ['name', 'last_updated_timestamp'])), limit, offset }
}

function versions(filter = '', orderBy: string[] = [], limit = 1000): RegistryQuery {
  return { filter: parseModelVersionFilter(filter), orderBy: orderBy.map((o) => parseModelOrderBy(o, ['name', 'version_number', 'last_updated_timestamp'])), limit, offset: 0 }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as AppError | undefined
  assert.ok(error, `expected ${code}, got success`)
  assert.equal(error.code, code, error.message)
  return error
}

/** One suite for every RegistryStore backend (house rule 7). */
export function describeRegistryStore(backend: TestBackend): void {
  describe(`${backend.name}: RegistryStore`, { skip: backend.skip }, () => {
    let cleanup: () => Promise<void>
    let store: RegistryStore
    before(async () => {
      const opened = await backend.open()
      cleanup = opened.cleanup
      store = new SqlRegistryStore(opened.database)
    })
    after(() => cleanup())

    it('should create a model with tags and refuse a taken name', async () => {
      await store.createRegisteredModel({ name: 'churn', description: 'd', tags: [{ key: 'team', value: 'risk' }], now: tick() })
      const model = await store.getRegisteredModel('churn')
      assert.equal(model?.description, 'd')
      assert.deepEqual(model?.tags, [{ key: 'team', value: 'risk' }])
      assert.deepEqual([model?.latestVersions, model?.aliases], [[], []])
      const error = await rejectsWith(store.createRegisteredModel({ name: 'churn', tags: [], now: tick() }), 'RESOURCE_ALREADY_EXISTS')
      assert.equal(error.message, 'Registered Model (name=churn) already exists.')
      assert.equal(await store.getRegisteredModel('nope'), undefined)
    })

    it('should number versions 1, 2, 3 and never reuse a deleted number', async () => {
      const created = [await store.createModelVersion(version('churn', { tags: [{ key: 'k', value: 'v' }], runId: 'r1', userId: 'bob' })), await store.createModelVersion(version('churn')), await store.createModelVersion(version('churn'))]
      assert.deepEqual(created.map((v) => v.version), [1, 2, 3])
      assert.ok(await store.deleteModelVersion('churn', 3, actor()))
      assert.equal((await store.createModelVersion(version('churn'))).version, 4)
      const first = await store.getModelVersion('churn', 1)
      assert.deepEqual(first?.tags, [{ key: 'k', value: 'v' }])
      assert.deepEqual(first?.pinned, pinned)
      assert.equal(first?.runId, 'r1')
      assert.equal(first?.userId, 'bob')
      assert.equal(first?.currentStage, 'None')
      assert.equal(first?.status, 'READY')
      assert.equal(await store.getModelVersion('churn', 3), undefined)
      await rejectsWith(store.createModelVersion(version('missing')), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('should give concurrent registrations distinct consecutive numbers', async () => {
      await store.createRegisteredModel({ name: 'busy', tags: [], now: tick() })
      const made = await Promise.all(Array.from({ length: 12 }, () => store.createModelVersion(version('busy'))))
      assert.deepEqual(made.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1))
    })

    it('should set, move and delete aliases and record each change with who and when', async () => {
      await store.setAlias('churn', 'champion', 1, actor('alice'))
      await store.setAlias('churn', 'champion', 1, actor('alice'))
      await store.setAlias('churn', 'champion', 2, actor('bob'))
      await store.setAlias('churn', 'challenger', 4, actor('bob'))
      assert.equal(await store.aliasVersion('churn', 'champion'), 2)
      assert.deepEqual((await store.getModelVersion('churn', 2))?.aliases, ['champion'])
      assert.deepEqual((await store.getRegisteredModel('churn'))?.aliases, [{ alias: 'challenger', version: 4 }, { alias: 'champion', version: 2 }])
      assert.ok(await store.deleteAlias('churn', 'champion', actor('carol')))
      assert.equal(await store.deleteAlias('churn', 'champion', actor('carol')), false)
      assert.equal(await store.aliasVersion('churn', 'champion'), undefined)
      const history = await store.aliasHistory('churn', 'champion')
      assert.deepEqual(history.map((h) => [h.fromVersion, h.toVersion, h.userId]), [[undefined, 1, 'alice'], [1, 2, 'bob'], [2, undefined, 'carol']])
      assert.ok(history.every((h, i) => i === 0 || h.timestamp >= history[i - 1]!.timestamp))
      assert.equal((await store.aliasHistory('churn')).length, 4)
      await rejectsWith(store.setAlias('churn', 'x', 99, actor()), 'RESOURCE_DOES_NOT_EXIST')
      await rejectsWith(store.setAlias('nope', 'x', 1, actor()), 'RESOURCE_DOES_NOT_EXIST')
    })

    it('should change the change marker when a version is added or deleted or an alias moves', async () => {
      const markers = [await store.changeMarker()]
      await store.createRegisteredModel({ name: 'marked', tags: [], now: tick() })
      markers.push(await store.changeMarker())
      const v1 = await store.createModelVersion(version('marked'))
      const v2 = await store.createModelVersion(version('marked'))
      markers.push(await store.changeMarker())
      await store.setAlias('marked', 'champion', v2.version, actor())
      markers.push(await store.changeMarker())
      await store.setAlias('marked', 'champion', v1.version, actor())
      markers.push(await store.changeMarker())
      await store.deleteAlias('marked', 'champion', actor())
      markers.push(await store.changeMarker())
      await store.deleteModelVersion('marked', v2.version, actor())
      markers.push(await store.changeMarker())
      await store.deleteRegisteredModel('marked', actor())
      markers.push(await store.changeMarker())
      markers.slice(1).forEach((marker, i) => assert.notEqual(marker, markers[i], `change ${i + 1} left the marker at ${marker}`))
      assert.equal(await store.changeMarker(), markers.at(-1))
    })

    it('should drop the aliases of a deleted version and record that in the history', async () => {
      const v = await store.createModelVersion(version('churn'))
      await store.setAlias('churn', 'temp', v.version, actor('dave'))
      await store.deleteModelVersion('churn', v.version, actor('erin'))
      assert.equal(await store.aliasVersion('churn', 'temp'), undefined)
      assert.deepEqual((await store.aliasHistory('churn', 'temp')).map((h) => [h.fromVersion, h.toVersion, h.userId]), [[undefined, v.version, 'dave'], [v.version, undefined, 'erin']])
    })

    it('should transition stages, archiving the others in that stage when asked', async () => {
      assert.ok(await store.transitionModelVersionStage('churn', 1, 'Production', false, tick()))
      assert.ok(await store.transitionModelVersionStage('churn', 2, 'Production', false, tick()))
      assert.ok(await store.transitionModelVersionStage('churn', 4, 'Production', true, tick()))
      const stages = await Promise.all([1, 2, 4].map(async (n) => (await store.getModelVersion('churn', n))?.currentStage))
      assert.deepEqual(stages, ['Archived', 'Archived', 'Production'])
      assert.equal(await store.transitionModelVersionStage('churn', 99, 'Staging', false, tick()), false)
    })

    it('should give the latest version per stage', async () => {
      const latest = await store.latestVersions('churn', ['None', 'Staging', 'Production', 'Archived'])
      assert.deepEqual(latest.map((v) => [v.currentStage, v.version]), [['Production', 4], ['Archived', 2]])
      assert.deepEqual((await store.latestVersions('churn', ['Staging'])).map((v) => v.version), [])
      assert.deepEqual((await store.getRegisteredModel('churn'))?.latestVersions.map((v) => v.version), [4, 2])
    })

    it('should search models by name, tags, order and pages', async () => {
      for (const name of ['Search-A', 'search-b', 'search-c']) await store.createRegisteredModel({ name, tags: [{ key: 'kind', value: name.endsWith('c') ? 'x' : 'y' }], now: tick() })
      assert.deepEqual((await store.searchRegisteredModels(models("name LIKE 'search-%'"))).items.map((m) => m.name), ['search-b', 'search-c'])
      assert.deepEqual((await store.searchRegisteredModels(models("name ILIKE 'search-%'"))).items.map((m) => m.name), ['Search-A', 'search-b', 'search-c'])
      assert.deepEqual((await store.searchRegisteredModels(models("tags.kind = 'y' and name ilike 'search%'"))).items.map((m) => m.name), ['Search-A', 'search-b'])
      assert.deepEqual((await store.searchRegisteredModels(models("name = 'churn'"))).items[0]?.latestVersions.length, 2)
      const desc = await store.searchRegisteredModels(models("name ILIKE 'search-%'", ['last_updated_timestamp DESC']))
      assert.deepEqual(desc.items.map((m) => m.name), ['search-c', 'search-b', 'Search-A'])
      const first = await store.searchRegisteredModels(models("name ILIKE 'search-%'", [], 2))
      assert.equal(first.items.length, 2)
      assert.ok(first.nextPageToken)
      const second = await store.searchRegisteredModels(models("name ILIKE 'search-%'", [], 2, 2))
      assert.deepEqual(second.items.map((m) => m.name), ['search-c'])
      assert.equal(second.nextPageToken, undefined)
    })

    it('should search versions by name, run_id IN, version number and tags', async () => {
      await store.createModelVersion(version('search-b', { runId: 'r2', tags: [{ key: 'flavor', value: 'onnx' }] }))
      await store.createModelVersion(version('search-b', { runId: 'r3' }))
      const byName = await store.searchModelVersions(versions("name = 'search-b'", ['version_number ASC']))
      assert.deepEqual(byName.items.map((v) => v.version), [1, 2])
      assert.deepEqual((await store.searchModelVersions(versions("run_id IN ('r2', 'r3')", ['version_number DESC']))).items.map((v) => v.runId), ['r3', 'r2'])
      assert.deepEqual((await store.searchModelVersions(versions("name = 'churn' and version_number > 1", ['version_number ASC']))).items.map((v) => v.version), [2, 4])
      assert.deepEqual((await store.searchModelVersions(versions("tags.flavor = 'onnx'"))).items.map((v) => [v.name, v.version]), [['search-b', 1]])
      const newest = await store.searchModelVersions(versions("name = 'search-b'"))
      assert.deepEqual(newest.items.map((v) => v.version), [2, 1])
    })

    it('should set and delete tags of models and versions', async () => {
      assert.ok(await store.setRegisteredModelTag('churn', { key: 'team', value: 'growth' }))
      assert.equal(await store.setRegisteredModelTag('nope', { key: 'a', value: 'b' }), false)
      assert.ok(await store.setModelVersionTag('churn', 1, { key: 'k', value: 'v2' }))
      assert.equal(await store.setModelVersionTag('churn', 99, { key: 'k', value: 'v' }), false)
      assert.deepEqual((await store.getRegisteredModel('churn'))?.tags, [{ key: 'team', value: 'growth' }])
      assert.deepEqual((await store.getModelVersion('churn', 1))?.tags, [{ key: 'k', value: 'v2' }])
      await store.deleteRegisteredModelTag('churn', 'team')
      await store.deleteModelVersionTag('churn', 1, 'k')
      await store.deleteModelVersionTag('churn', 1, 'absent')
      assert.deepEqual((await store.getRegisteredModel('churn'))?.tags, [])
      assert.deepEqual((await store.getModelVersion('churn', 1))?.tags, [])
    })

    it('should update descriptions of models and versions', async () => {
      assert.ok(await store.updateRegisteredModel('churn', 'new', tick()))
      assert.ok(await store.updateModelVersion('churn', 1, 'v1 notes', tick()))
      assert.equal((await store.getRegisteredModel('churn'))?.description, 'new')
      assert.equal((await store.getModelVersion('churn', 1))?.description, 'v1 notes')
      assert.equal(await store.updateRegisteredModel('nope', 'x', tick()), false)
    })

    it('should rename a model with its versions, tags, aliases and alias history', async () => {
      await store.setRegisteredModelTag('churn', { key: 'keep', value: 'me' })
      await store.setAlias('churn', 'champion', 4, actor())
      await rejectsWith(store.renameRegisteredModel('churn', 'search-b', tick()), 'RESOURCE_ALREADY_EXISTS')
      assert.ok(await store.renameRegisteredModel('churn', 'churn-v2', tick()))
      assert.equal(await store.renameRegisteredModel('churn', 'x', tick()), false)
      const renamed = await store.getRegisteredModel('churn-v2')
      assert.deepEqual(renamed?.tags, [{ key: 'keep', value: 'me' }])
      assert.equal(await store.aliasVersion('churn-v2', 'champion'), 4)
      assert.equal((await store.getModelVersion('churn-v2', 4))?.name, 'churn-v2')
      assert.ok((await store.aliasHistory('churn-v2')).length >= 5)
      assert.equal(await store.getRegisteredModel('churn'), undefined)
      assert.equal((await store.createModelVersion(version('churn-v2'))).version, 6)
    })

    it('should delete a model with everything but its alias history', async () => {
      assert.ok(await store.deleteRegisteredModel('churn-v2', actor('zed')))
      assert.equal(await store.deleteRegisteredModel('churn-v2', actor('zed')), false)
      assert.equal(await store.getRegisteredModel('churn-v2'), undefined)
      assert.equal(await store.getModelVersion('churn-v2', 1), undefined)
      assert.equal((await store.searchModelVersions(versions("name = 'churn-v2'"))).items.length, 0)
      const last = (await store.aliasHistory('churn-v2')).at(-1)
      assert.deepEqual([last?.alias, last?.fromVersion, last?.toVersion, last?.userId], ['champion', 4, undefined, 'zed'])
      await store.createRegisteredModel({ name: 'churn-v2', tags: [], now: tick() })
      assert.equal((await store.createModelVersion(version('churn-v2'))).version, 1)
    })
  })
}
