import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestApp, type TestApp } from '../../testing/test-services.js'
import { mlflowCaller, PREFIXES, uniqueName } from './tracking-routes.test-helper.js'

/**
 * MLflow's tracking REST API as its clients see it: request encodings (int64 as strings, enums
 * by number, GET query arrays) and response shapes (snake_case, int64 as numbers, empty lists
 * and unset fields left out), on both prefixes MLflow serves.
 */
for (const prefix of PREFIXES) {
  describe(`MLflow tracking routes under ${prefix}: experiments`, () => {
    let t: TestApp
    const { post, ok, okGet, newExperiment } = mlflowCaller(prefix, () => t)

    before(async () => {
      t = await createTestApp()
    })
    after(async () => {
      await t.close()
    })

    it('should serve the Default experiment with id "0"', async () => {
      const body = await okGet('/experiments/get?experiment_id=0')
      assert.equal(body.experiment.experiment_id, '0')
      assert.equal(body.experiment.name, 'Default')
      assert.equal(body.experiment.lifecycle_stage, 'active')
      assert.equal(typeof body.experiment.creation_time, 'number')
      const byName = await okGet('/experiments/get-by-name?experiment_name=Default')
      assert.equal(byName.experiment.experiment_id, '0')
    })

    it('should refuse to delete the Default experiment', async () => {
      const response = await post('/experiments/delete', { experiment_id: '0' })
      assert.equal(response.status, 400)
      assert.equal(response.body.error_code, 'INVALID_PARAMETER_VALUE')
      assert.match(response.body.message, /default experiment/i)
      assert.equal((await okGet('/experiments/get?experiment_id=0')).experiment.lifecycle_stage, 'active')
    })

    it('should create an experiment and return it by id and by name in MLflow shape', async () => {
      const name = uniqueName('created')
      const created = await ok('/experiments/create', { name, tags: [{ key: 'team', value: 'search' }] })
      assert.equal(typeof created.experiment_id, 'string')
      assert.deepEqual(Object.keys(created), ['experiment_id'])

      const { experiment } = await okGet(`/experiments/get?experiment_id=${created.experiment_id}`)
      assert.equal(experiment.experiment_id, created.experiment_id)
      assert.equal(experiment.name, name)
      assert.equal(experiment.artifact_location, `mlflow-artifacts:/${created.experiment_id}`)
      assert.equal(experiment.lifecycle_stage, 'active')
      assert.equal(typeof experiment.creation_time, 'number')
      assert.equal(typeof experiment.last_update_time, 'number')
      assert.deepEqual(experiment.tags, [{ key: 'team', value: 'search' }])

      const byName = await okGet(`/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`)
      assert.deepEqual(byName.experiment, experiment)
    })

    it('should omit tags of an experiment that has none and keep an explicit artifact_location', async () => {
      const id = await newExperiment('plain', { artifact_location: 's3://bucket/somewhere' })
      const { experiment } = await okGet(`/experiments/get?experiment_id=${id}`)
      assert.equal('tags' in experiment, false)
      assert.equal(experiment.artifact_location, 's3://bucket/somewhere')
    })

    it('should find experiments with POST search by filter and order_by', async () => {
      const stem = uniqueName('findme')
      const first = await ok('/experiments/create', { name: `${stem}-a` })
      const second = await ok('/experiments/create', { name: `${stem}-b` })
      const body = await ok('/experiments/search', { filter: `name LIKE '${stem}%'`, order_by: ['name DESC'], max_results: 10 })
      assert.deepEqual(
        body.experiments.map((e: any) => e.experiment_id),
        [second.experiment_id, first.experiment_id],
      )
      assert.equal(body.next_page_token, undefined)
    })

    it('should page through GET search with max_results=1 and page_token until next_page_token is gone', async () => {
      await newExperiment('paged')
      await newExperiment('paged')
      const all = await okGet('/experiments/search?max_results=1000')
      const expected = all.experiments.map((e: any) => e.experiment_id).sort()
      assert.ok(expected.length >= 3)

      const seen: string[] = []
      let token: string | undefined
      let pages = 0
      do {
        const query = token === undefined ? 'max_results=1' : `max_results=1&page_token=${encodeURIComponent(token)}`
        const page = await okGet(`/experiments/search?${query}`)
        assert.equal(page.experiments.length, 1)
        seen.push(page.experiments[0].experiment_id)
        token = page.next_page_token
        pages += 1
        assert.ok(pages <= expected.length, 'paging never ended')
      } while (token !== undefined)
      assert.deepEqual([...seen].sort(), expected)
      assert.equal(new Set(seen).size, seen.length, 'a page repeated an experiment')
    })

    it('should page POST search with page_token too', async () => {
      const stem = uniqueName('postpaged')
      for (const suffix of ['a', 'b', 'c']) await ok('/experiments/create', { name: `${stem}-${suffix}` })
      const names: string[] = []
      let token: string | undefined
      do {
        const page = await ok('/experiments/search', { filter: `name LIKE '${stem}%'`, order_by: ['name ASC'], max_results: 2, page_token: token })
        names.push(...page.experiments.map((e: any) => e.name))
        token = page.next_page_token
      } while (token)
      assert.deepEqual(names, [`${stem}-a`, `${stem}-b`, `${stem}-c`])
    })

    it('should rename an experiment with update', async () => {
      const id = await newExperiment('old')
      const newName = uniqueName('renamed')
      assert.deepEqual(await ok('/experiments/update', { experiment_id: id, new_name: newName }), {})
      assert.equal((await okGet(`/experiments/get?experiment_id=${id}`)).experiment.name, newName)
      assert.equal((await okGet(`/experiments/get-by-name?experiment_name=${newName}`)).experiment.experiment_id, id)
    })

    it('should delete and restore an experiment, hiding it from active searches while deleted', async () => {
      const name = uniqueName('doomed')
      const id = (await ok('/experiments/create', { name })).experiment_id
      assert.deepEqual(await ok('/experiments/delete', { experiment_id: id }), {})
      assert.equal((await okGet(`/experiments/get?experiment_id=${id}`)).experiment.lifecycle_stage, 'deleted')

      const active = await ok('/experiments/search', { filter: `name = '${name}'` })
      assert.equal(active.experiments, undefined, 'a deleted experiment showed up in an ACTIVE_ONLY search')
      const deleted = await ok('/experiments/search', { filter: `name = '${name}'`, view_type: 'DELETED_ONLY' })
      assert.deepEqual(deleted.experiments.map((e: any) => e.experiment_id), [id])
      const deletedByNumber = await okGet(`/experiments/search?filter=${encodeURIComponent(`name = '${name}'`)}&view_type=2`)
      assert.deepEqual(deletedByNumber.experiments.map((e: any) => e.experiment_id), [id])

      assert.deepEqual(await ok('/experiments/restore', { experiment_id: id }), {})
      assert.equal((await okGet(`/experiments/get?experiment_id=${id}`)).experiment.lifecycle_stage, 'active')
      assert.equal((await ok('/experiments/search', { filter: `name = '${name}'` })).experiments.length, 1)
    })

    it('should set, overwrite and delete an experiment tag', async () => {
      const id = await newExperiment('tagged')
      await ok('/experiments/set-experiment-tag', { experiment_id: id, key: 'owner', value: 'ana' })
      await ok('/experiments/set-experiment-tag', { experiment_id: id, key: 'owner', value: 'bo' })
      await ok('/experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'dev' })
      const tags = (await okGet(`/experiments/get?experiment_id=${id}`)).experiment.tags
      assert.deepEqual(
        [...tags].sort((a: any, b: any) => a.key.localeCompare(b.key)),
        [
          { key: 'owner', value: 'bo' },
          { key: 'stage', value: 'dev' },
        ],
      )

      assert.deepEqual(await ok('/experiments/delete-experiment-tag', { experiment_id: id, key: 'owner' }), {})
      assert.deepEqual((await okGet(`/experiments/get?experiment_id=${id}`)).experiment.tags, [{ key: 'stage', value: 'dev' }])
      const again = await post('/experiments/delete-experiment-tag', { experiment_id: id, key: 'owner' })
      assert.equal(again.status, 404)
      assert.equal(again.body.error_code, 'RESOURCE_DOES_NOT_EXIST')
    })

    it('should answer GET /experiments/list (the npm client’s removed endpoint) with experiments', async () => {
      const id = await newExperiment('listed')
      const body = await okGet('/experiments/list')
      const ids = body.experiments.map((e: any) => e.experiment_id)
      assert.ok(ids.includes(id))
      assert.ok(ids.includes('0'))
      const deletedOnly = await okGet('/experiments/list?view_type=DELETED_ONLY')
      assert.ok(!(deletedOnly.experiments ?? []).some((e: any) => e.experiment_id === id))
    })
  })
}
