import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { seedModel } from '../testing/registry-fixtures.js'
import { call as rawCall, createTestApp, type TestApp } from '../testing/test-services.js'

const API = '/api/plinth/v1'
const D = `${API}/deployments`

const canary = {
  name: 'churn-api',
  routes: [
    { model: 'churn', alias: 'champion', weight: 90 },
    { model: 'churn', version: '2', weight: 10 },
  ],
}

describe('deployment routes', () => {
  let t: TestApp
  let runId: string
  const statuses: number[] = []
  const call = async (...args: Parameters<typeof rawCall> extends [unknown, ...infer R] ? R : never) => {
    const response = await rawCall(t.app, ...args)
    statuses.push(response.status)
    return response
  }
  const expectError = async (status: number, code: string, message: RegExp, ...args: Parameters<typeof call>) => {
    const response = await call(...args)
    assert.equal(response.status, status, JSON.stringify(response.body))
    assert.equal(response.body.error_code, code)
    assert.match(response.body.message, message)
  }

  before(async () => {
    t = await createTestApp()
    runId = (await seedModel(t.services, 'churn', 4, { champion: 1, challenger: 3 })).runId
  })
  after(async () => {
    await t.close()
    assert.ok(statuses.every((s) => s < 500), `a request answered ${statuses.filter((s) => s >= 500).join(', ')}`)
  })

  describe('create, read, list', () => {
    it('should create a deployment at revision 1 in snake_case', async () => {
      const created = await call('POST', D, { ...canary, shadow: { model: 'churn', version: 4, share: 0.1 }, sticky_header: 'X-User-Id' })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      const d = created.body.deployment
      assert.deepEqual(Object.keys(d).sort(), ['created_at', 'name', 'revision', 'routes', 'shadow', 'sticky_header', 'updated_at', 'updated_by'])
      assert.deepEqual([d.name, d.revision, d.updated_by, d.sticky_header], ['churn-api', 1, 'unknown', 'x-user-id'])
      assert.deepEqual(d.routes, canary.routes)
      assert.deepEqual(d.shadow, { model: 'churn', version: '4', share: 0.1 })
      assert.equal(typeof d.created_at, 'number')
    })

    it('should read one deployment and list them by name', async () => {
      await call('POST', D, { name: 'a-first', routes: [{ model: 'churn', version: '1', weight: 100 }] })
      const got = await call('GET', `${D}/churn-api`)
      assert.deepEqual([got.status, got.body.deployment.revision], [200, 1])
      const listed = await call('GET', D)
      assert.deepEqual(listed.body.deployments.map((d: { name: string }) => d.name), ['a-first', 'churn-api'])
    })

    it('should answer 404 RESOURCE_DOES_NOT_EXIST for an unknown deployment', async () => {
      for (const [method, path] of [['GET', `${D}/nope`], ['GET', `${D}/nope/history`], ['DELETE', `${D}/nope`], ['POST', `${D}/nope/rollback`]] as const) {
        await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /No deployment named 'nope'/, method, path)
      }
    })

    it('should refuse a taken name with RESOURCE_ALREADY_EXISTS', async () => {
      await expectError(400, 'RESOURCE_ALREADY_EXISTS', /already exists/, 'POST', D, canary)
    })
  })

  describe('bad input', () => {
    it('should answer 404 naming the route for an unknown model, version or alias', async () => {
      const route = (target: object) => ({ name: 'bad', routes: [{ model: 'churn', version: '1', weight: 50 }, { ...target, weight: 50 }] })
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /^routes\[1\] \(fraud\/1\): .*fraud/, 'POST', D, route({ model: 'fraud', version: '1' }))
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /^routes\[1\] \(churn\/9\): .*version=9/, 'POST', D, route({ model: 'churn', version: '9' }))
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /^routes\[1\] \(churn@gold\): .*no alias 'gold'/, 'POST', D, route({ model: 'churn', alias: 'gold' }))
      const shadowed = { ...canary, name: 'bad', shadow: { model: 'churn', alias: 'gold', share: 0.5 } }
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /^shadow \(churn@gold\)/, 'POST', D, shadowed)
    })

    it('should refuse weights that do not add up to 100', async () => {
      const body = { name: 'bad', routes: [{ model: 'churn', alias: 'champion', weight: 90 }, { model: 'churn', version: '2', weight: 20 }] }
      await expectError(400, 'INVALID_PARAMETER_VALUE', /weights must add up to 100; they add up to 110/, 'POST', D, body)
    })

    it('should answer 400 naming the field for bad shapes', async () => {
      const ok = { model: 'churn', version: '1', weight: 100 }
      const cases: Array<[unknown, RegExp]> = [
        [{ routes: [ok] }, /required parameter 'name'/],
        [{ name: 'bad' }, /required parameter 'routes'/],
        [{ name: 'bad', routes: [] }, /at least one route in 'routes'/],
        [{ name: 'bad', routes: 'churn/1' }, /'routes\[0\]' supplied: it must be object/],
        [{ name: 'bad', routes: [{ version: '1', weight: 100 }] }, /required parameter 'routes\[0\]\.model'/],
        [{ name: 'bad', routes: [{ model: 'churn', version: '1' }] }, /required parameter 'routes\[0\]\.weight'/],
        [{ name: 'bad', routes: [{ ...ok, weight: 'lots' }] }, /'routes\[0\]\.weight'/],
        [{ name: 'bad', routes: [{ ...ok, weight: -5 }] }, /routes\[0\]\.weight must be a number from 0 to 100/],
        [{ name: 'bad', routes: [{ ...ok, alias: 'champion' }] }, /routes\[0\] needs exactly one of 'version'.*or 'alias'/],
        [{ name: 'bad', routes: [{ model: 'churn', weight: 100 }] }, /routes\[0\] needs exactly one of/],
        [{ name: 'bad', routes: [{ ...ok, percent: 100 }] }, /Unknown parameter 'routes\[0\]\.percent'/],
        [{ name: 'bad', routes: [ok], stickyHeader: 'x-user' }, /Unknown parameter 'stickyHeader'/],
        [{ name: 'bad', routes: [ok], sticky_header: 'not a header' }, /sticky_header must be an HTTP header name/],
        [{ name: 'bad', routes: [ok], shadow: { model: 'churn', version: '2', share: 2 } }, /shadow\.share must be a fraction/],
        [{ name: 'bad', routes: [ok], shadow: { model: 'churn', version: '2' } }, /required parameter 'shadow\.share'/],
        [{ name: 'bad name!', routes: [ok] }, /Invalid deployment name 'bad name!'/],
      ]
      for (const [body, message] of cases) await expectError(400, 'INVALID_PARAMETER_VALUE', message, 'POST', D, body)
    })

    it('should answer 400 BAD_REQUEST for a body that is not JSON', async () => {
      await expectError(400, 'BAD_REQUEST', /Malformed JSON/, 'POST', D, '{"name": ')
      assert.equal((await call('GET', `${D}/bad`)).status, 404, 'nothing was created by bad input')
    })
  })

  describe('update, rollback, history', () => {
    it('should replace the routing with PUT and refuse a stale expected_revision with 409', async () => {
      const body = { routes: [{ model: 'churn', alias: 'champion', weight: 50 }, { model: 'churn', alias: 'challenger', weight: 50 }], sticky_header: 'x-user-id' }
      const updated = await call('PUT', `${D}/churn-api`, { ...body, expected_revision: 1 })
      assert.equal(updated.status, 200, JSON.stringify(updated.body))
      assert.deepEqual([updated.body.deployment.revision, updated.body.deployment.shadow, updated.body.deployment.sticky_header], [2, undefined, 'x-user-id'])
      await expectError(409, 'INVALID_STATE', /is at revision 2, not 1/, 'PUT', `${D}/churn-api`, { ...body, expected_revision: 1 })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /expected_revision/, 'PUT', `${D}/churn-api`, { ...body, expected_revision: 0 })
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /No deployment named 'ghost'/, 'PUT', `${D}/ghost`, body)
    })

    it('should change only the given parts with PATCH; null removes the shadow or sticky header', async () => {
      const shadowed = await call('PATCH', `${D}/churn-api`, { shadow: { model: 'churn', version: '4', share: 0.25 } })
      assert.equal(shadowed.status, 200, JSON.stringify(shadowed.body))
      const d = shadowed.body.deployment
      assert.deepEqual([d.revision, d.routes.length, d.sticky_header, d.shadow.share], [3, 2, 'x-user-id', 0.25])
      const promoted = await call('PATCH', `${D}/churn-api`, { routes: [{ model: 'churn', alias: 'champion', weight: 100 }], sticky_header: null, expected_revision: 3 })
      assert.deepEqual([promoted.body.deployment.revision, promoted.body.deployment.routes.length, promoted.body.deployment.sticky_header, promoted.body.deployment.shadow.version], [4, 1, undefined, '4'])
      const unshadowed = await call('PATCH', `${D}/churn-api`, { shadow: null })
      assert.deepEqual([unshadowed.body.deployment.revision, unshadowed.body.deployment.shadow], [5, undefined])
      await expectError(409, 'INVALID_STATE', /is at revision 5, not 2/, 'PATCH', `${D}/churn-api`, { shadow: null, expected_revision: 2 })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /weights must add up to 100/, 'PATCH', `${D}/churn-api`, { routes: [{ model: 'churn', version: '1', weight: 10 }] })
    })

    it('should roll back to the previous routing as a new revision, or to a given one', async () => {
      const rolled = await call('POST', `${D}/churn-api/rollback`)
      assert.equal(rolled.status, 200, JSON.stringify(rolled.body))
      assert.deepEqual([rolled.body.deployment.revision, rolled.body.deployment.shadow?.share], [6, 0.25])
      const toFirst = await call('POST', `${D}/churn-api/rollback`, { to_revision: 1, expected_revision: 6 })
      assert.deepEqual(toFirst.body.deployment.routes, canary.routes)
      assert.equal(toFirst.body.deployment.revision, 7)
      await expectError(409, 'INVALID_STATE', /is at revision 7, not 6/, 'POST', `${D}/churn-api/rollback`, { expected_revision: 6 })
      await expectError(400, 'INVALID_PARAMETER_VALUE', /to_revision must be an earlier revision .* from 1 to 6; got 7/, 'POST', `${D}/churn-api/rollback`, { to_revision: 7 })
      await expectError(409, 'INVALID_STATE', /no earlier revision to roll back to/, 'POST', `${D}/a-first/rollback`)
    })

    it('should list every revision newest first with who made it and why', async () => {
      const history = await call('GET', `${D}/churn-api/history`)
      assert.equal(history.status, 200)
      const rows = history.body.history.map((r: { revision: number; reason: string; created_by: string }) => [r.revision, r.reason, r.created_by])
      assert.deepEqual(rows, [[7, 'rollback to 1', 'unknown'], [6, 'rollback to 4', 'unknown'], [5, 'update', 'unknown'], [4, 'update', 'unknown'], [3, 'update', 'unknown'], [2, 'update', 'unknown'], [1, 'create', 'unknown']])
      assert.deepEqual(Object.keys(history.body.history[0]).sort(), ['created_at', 'created_by', 'reason', 'revision', 'routes', 'shadow', 'sticky_header'])
      assert.deepEqual(history.body.history[3].shadow, { model: 'churn', version: '4', share: 0.25 })
      assert.equal(history.body.history[3].sticky_header, undefined)
    })
  })

  describe('lineage', () => {
    it('should find the deployments serving a run’s versions, aliases resolved', async () => {
      await call('PATCH', `${D}/a-first`, { routes: [{ model: 'churn', alias: 'challenger', weight: 100 }], shadow: { model: 'churn', version: '4', share: 0.5 } })
      const fromRun = await call('GET', `${API}/lineage?run_id=${runId}`)
      assert.equal(fromRun.status, 200, JSON.stringify(fromRun.body))
      assert.deepEqual(fromRun.body.model_versions.map((v: { version: string }) => v.version), ['4'])
      assert.deepEqual(fromRun.body.deployments, [
        { deployment: 'a-first', revision: 2, role: 'shadow', model: 'churn', version: '4', resolved: true, run_id: runId, share: 0.5 },
        { deployment: 'churn-api', revision: 7, role: 'shadow', model: 'churn', version: '4', resolved: true, run_id: runId, share: 0.1 },
      ])
      await t.services.registry.setAlias('churn', 'challenger', 4)
      const moved = await call('GET', `${API}/lineage?run_id=${runId}`)
      const uses = moved.body.deployments.map((u: { deployment: string; role: string; alias?: string }) => `${u.deployment}:${u.role}:${u.alias ?? '-'}`)
      assert.deepEqual(uses, ['a-first:route:challenger', 'a-first:shadow:-', 'churn-api:shadow:-'])
    })

    it('should find the deployments serving a version given by number or alias, with its run', async () => {
      const byVersion = await call('GET', `${API}/lineage?model=churn&version=1`)
      assert.equal(byVersion.body.run, undefined)
      assert.deepEqual(byVersion.body.deployments.map((u: { deployment: string; alias: string; weight: number }) => [u.deployment, u.alias, u.weight]), [['churn-api', 'champion', 90]])
      const byAlias = await call('GET', `${API}/lineage?model=churn&alias=challenger`)
      assert.equal(byAlias.body.model_version.version, '4')
      assert.equal(byAlias.body.run.info.run_id, runId)
      assert.deepEqual(byAlias.body.deployments.map((u: { deployment: string; role: string }) => `${u.deployment}:${u.role}`), ['a-first:route', 'a-first:shadow', 'churn-api:shadow'])
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /version=9/, 'GET', `${API}/lineage?model=churn&version=9`)
    })

    it('should resolve a deployment’s targets to versions and runs, marking ones that are gone', async () => {
      const lineage = await call('GET', `${API}/lineage?deployment=churn-api`)
      assert.equal(lineage.body.deployment.name, 'churn-api')
      assert.deepEqual(lineage.body.deployments.map((u: { alias?: string; version?: string; resolved: boolean }) => [u.alias, u.version, u.resolved]), [['champion', '1', true], [undefined, '2', true], [undefined, '4', true]])
      await t.services.registry.deleteAlias('churn', 'champion')
      const gone = await call('GET', `${API}/lineage?deployment=churn-api`)
      assert.deepEqual(gone.body.deployments[0], { deployment: 'churn-api', revision: 7, role: 'route', model: 'churn', alias: 'champion', resolved: false, weight: 90 })
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /No deployment named 'nope'/, 'GET', `${API}/lineage?deployment=nope`)
      await expectError(400, 'INVALID_PARAMETER_VALUE', /Give run_id/, 'GET', `${API}/lineage?model=churn`)
    })

    it('should refuse to roll back to routing whose alias is gone', async () => {
      await call('PUT', `${D}/churn-api`, { routes: [{ model: 'churn', version: '3', weight: 100 }] })
      await expectError(404, 'RESOURCE_DOES_NOT_EXIST', /^revision 7: routes\[0\] \(churn@champion\)/, 'POST', `${D}/churn-api/rollback`)
    })
  })

  describe('delete', () => {
    it('should delete a deployment with its history', async () => {
      const deleted = await call('DELETE', `${D}/a-first`)
      assert.deepEqual([deleted.status, deleted.body], [200, {}])
      assert.equal((await call('GET', `${D}/a-first/history`)).status, 404)
      assert.deepEqual((await call('GET', D)).body.deployments.map((d: { name: string }) => d.name), ['churn-api'])
    })
  })
})

describe('deployment routes on a server started with --auth', () => {
  let t: TestApp
  let editor: string
  let reader: string
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })

  before(async () => {
    t = await createTestApp({ auth: true })
    editor = (await t.services.auth.createToken({ name: 'release-bot', role: 'editor' })).secret
    reader = (await t.services.auth.createToken({ name: 'dashboard', role: 'reader' })).secret
    await seedModel(t.services, 'churn', 2, { champion: 1 })
  })
  after(() => t.close())

  it('should let editors write and record their name on each revision', async () => {
    const created = await rawCall(t.app, 'POST', D, canary, bearer(editor))
    assert.deepEqual([created.status, created.body.deployment.updated_by], [200, 'release-bot'])
    const patched = await rawCall(t.app, 'PATCH', `${D}/churn-api`, { sticky_header: 'x-user-id' }, bearer(editor))
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    const history = await rawCall(t.app, 'GET', `${D}/churn-api/history`, undefined, bearer(reader))
    assert.deepEqual(history.body.history.map((r: { created_by: string }) => r.created_by), ['release-bot', 'release-bot'])
  })

  it('should let readers read but not write, and refuse anonymous callers', async () => {
    assert.equal((await rawCall(t.app, 'GET', `${D}/churn-api`, undefined, bearer(reader))).status, 200)
    assert.equal((await rawCall(t.app, 'GET', `${API}/lineage?deployment=churn-api`, undefined, bearer(reader))).status, 200)
    for (const [method, path, body] of [
      ['POST', D, { ...canary, name: 'other' }],
      ['PUT', `${D}/churn-api`, { routes: canary.routes }],
      ['PATCH', `${D}/churn-api`, { shadow: null }],
      ['POST', `${D}/churn-api/rollback`, {}],
      ['DELETE', `${D}/churn-api`, undefined],
    ] as const) {
      const denied = await rawCall(t.app, method, path, body, bearer(reader))
      assert.deepEqual([denied.status, denied.body.error_code], [403, 'PERMISSION_DENIED'], `${method} ${path}`)
      assert.equal((await rawCall(t.app, method, path, body)).status, 401, `${method} ${path}`)
    }
    assert.equal((await rawCall(t.app, 'GET', D)).status, 401)
  })
})
