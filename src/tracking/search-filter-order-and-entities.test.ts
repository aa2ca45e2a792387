import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseModelOrderBy,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunOrderBy,
} from './search-filter.js'
import { assertInvalid, only } from './search-filter.test-helper.js'

describe('parseRunOrderBy', () => {
  it('should parse each entity with an optional direction, ascending by default', () => {
    assert.deepEqual(parseRunOrderBy('metrics.rmse DESC'), {
      entity: 'metric',
      key: 'rmse',
      ascending: false,
    })
    assert.deepEqual(parseRunOrderBy('params.lr ASC'), {
      entity: 'param',
      key: 'lr',
      ascending: true,
    })
    assert.deepEqual(parseRunOrderBy('tags.t'), { entity: 'tag', key: 't', ascending: true })
    assert.deepEqual(parseRunOrderBy('start_time'), {
      entity: 'attribute',
      key: 'start_time',
      ascending: true,
    })
    assert.deepEqual(parseRunOrderBy('  attributes.start_time desc  '), {
      entity: 'attribute',
      key: 'start_time',
      ascending: false,
    })
  })

  it('should read quoted keys', () => {
    assert.deepEqual(parseRunOrderBy('`metrics`.`my metric`'), {
      entity: 'metric',
      key: 'my metric',
      ascending: true,
    })
    assert.deepEqual(parseRunOrderBy('metrics."my metric" DESC'), {
      entity: 'metric',
      key: 'my metric',
      ascending: false,
    })
    assert.equal(parseRunOrderBy('tags.`a b`').key, 'a b')
    assert.equal(parseRunOrderBy('tags.mlflow.runName').key, 'mlflow.runName')
  })

  it('should accept every orderable attribute and map aliases', () => {
    for (const key of [
      'start_time',
      'end_time',
      'run_name',
      'run_id',
      'status',
      'user_id',
      'artifact_uri',
    ]) {
      assert.equal(parseRunOrderBy(`attribute.${key}`).key, key)
    }
    assert.equal(parseRunOrderBy('created DESC').key, 'start_time')
    assert.equal(parseRunOrderBy('Created').key, 'start_time')
  })

  it('should reject a bad direction, key or extra token with INVALID_PARAMETER_VALUE', () => {
    assertInvalid(
      () => parseRunOrderBy('metrics.a sideways'),
      /expected ASC or DESC .*got 'sideways'/,
    )
    assertInvalid(() => parseRunOrderBy('metrics.a DESC x'), /unexpected 'x' after DESC/)
    assertInvalid(() => parseRunOrderBy('metrics.a ASC DESC'), /unexpected 'DESC' after ASC/)
    assertInvalid(() => parseRunOrderBy('foo'), /unknown attribute 'foo'; valid attributes are/)
    assertInvalid(() => parseRunOrderBy('lifecycle_stage'), /unknown attribute 'lifecycle_stage'/)
    assertInvalid(() => parseRunOrderBy('datasets.name'), /datasets cannot be used here/)
    assertInvalid(() => parseRunOrderBy('metricz.a'), /unknown entity 'metricz'/)
    assertInvalid(() => parseRunOrderBy(''), /expected a key to order by/)
    assertInvalid(() => parseRunOrderBy('metrics.a, metrics.b'), /unexpected ','/)
    assertInvalid(() => parseRunOrderBy('metrics.`a'), /unterminated string/)
  })
})

describe('parseExperimentFilter', () => {
  it('should parse name, times and tags', () => {
    assert.deepEqual(
      parseExperimentFilter(
        "name LIKE 'exp%' and attributes.name != 'x' and creation_time >= 5 and tags.k ILIKE 'v'",
      ),
      [
        { entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp%' },
        { entity: 'attribute', key: 'name', comparator: '!=', value: 'x' },
        { entity: 'attribute', key: 'creation_time', comparator: '>=', value: 5 },
        { entity: 'tag', key: 'k', comparator: 'ILIKE', value: 'v' },
      ],
    )
    assert.equal(only('last_update_time < -1', parseExperimentFilter).key, 'last_update_time')
    assert.equal(only("tag.`a b` = 'v'", parseExperimentFilter).key, 'a b')
  })

  it('should reject metrics, params, unknown attributes and bad comparators', () => {
    assertInvalid(
      () => parseExperimentFilter('metrics.a > 1'),
      /unknown entity 'metrics'; use an attribute or tags/,
    )
    assertInvalid(() => parseExperimentFilter("params.a = 'x'"), /unknown entity 'params'/)
    assertInvalid(
      () => parseExperimentFilter("experiment_id = '1'"),
      /unknown attribute 'experiment_id'.*name, creation_time, last_update_time/,
    )
    assertInvalid(
      () => parseExperimentFilter("name IN ('a')"),
      /comparator 'IN' for attribute 'name'/,
    )
    assertInvalid(() => parseExperimentFilter("creation_time LIKE '1'"), /comparator 'LIKE'/)
    assertInvalid(() => parseExperimentFilter("creation_time > '1'"), /expected a number/)
    assertInvalid(() => parseExperimentFilter("name = 'a' OR name = 'b'"), /OR is not supported/)
  })
})

describe('parseExperimentOrderBy', () => {
  it('should parse the orderable attributes in both directions', () => {
    for (const key of ['name', 'experiment_id', 'creation_time', 'last_update_time']) {
      assert.deepEqual(parseExperimentOrderBy(`${key} DESC`), {
        entity: 'attribute',
        key,
        ascending: false,
      })
      assert.deepEqual(parseExperimentOrderBy(`attributes.${key} asc`), {
        entity: 'attribute',
        key,
        ascending: true,
      })
    }
  })

  it('should reject other keys and entities', () => {
    assertInvalid(
      () => parseExperimentOrderBy('start_time'),
      /unknown attribute 'start_time'.*name, experiment_id/,
    )
    assertInvalid(
      () => parseExperimentOrderBy('tags.a'),
      /tags cannot be used here; use one of name/,
    )
    assertInvalid(() => parseExperimentOrderBy('name up'), /expected ASC or DESC/)
  })
})

describe('parseRegisteredModelFilter', () => {
  it('should parse name and tags with string comparators', () => {
    for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
      assert.deepEqual(only(`name ${op} 'm'`, parseRegisteredModelFilter), {
        entity: 'attribute',
        key: 'name',
        comparator: op,
        value: 'm',
      })
      assert.equal(only(`tags.k ${op} 'v'`, parseRegisteredModelFilter).entity, 'tag')
    }
  })

  it('should reject other keys, numbers and lists', () => {
    assertInvalid(
      () => parseRegisteredModelFilter("run_id = 'x'"),
      /unknown attribute 'run_id'; valid attributes are name$/,
    )
    assertInvalid(() => parseRegisteredModelFilter("name IN ('a')"), /comparator 'IN'/)
    assertInvalid(() => parseRegisteredModelFilter('name = 1'), /expected a quoted string/)
    assertInvalid(() => parseRegisteredModelFilter('metrics.a > 1'), /unknown entity 'metrics'/)
  })
})

describe('parseModelVersionFilter', () => {
  it('should parse name, run_id, source, version_number and tags', () => {
    assert.deepEqual(
      parseModelVersionFilter(
        "name IN ('a', 'b') and run_id = 'r1' and source LIKE 's3://%' " +
          "and version_number >= 2 and tags.k != 'v'",
      ),
      [
        { entity: 'attribute', key: 'name', comparator: 'IN', value: ['a', 'b'] },
        { entity: 'attribute', key: 'run_id', comparator: '=', value: 'r1' },
        { entity: 'attribute', key: 'source', comparator: 'LIKE', value: 's3://%' },
        { entity: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
        { entity: 'tag', key: 'k', comparator: '!=', value: 'v' },
      ],
    )
    assert.deepEqual(only("run_id IN ('r1')", parseModelVersionFilter).value, ['r1'])
    assert.equal(only("source_path ILIKE '%x'", parseModelVersionFilter).key, 'source')
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      assert.equal(only(`version_number ${op} 3`, parseModelVersionFilter).comparator, op)
    }
  })

  it('should reject IN on other keys, NOT IN, and bad values', () => {
    assertInvalid(
      () => parseModelVersionFilter("source IN ('a')"),
      /comparator 'IN' for attribute 'source'/,
    )
    assertInvalid(() => parseModelVersionFilter("name NOT IN ('a')"), /comparator 'NOT IN'/)
    assertInvalid(() => parseModelVersionFilter("version_number = '1'"), /expected a number/)
    assertInvalid(() => parseModelVersionFilter("version_number LIKE '1'"), /comparator 'LIKE'/)
    assertInvalid(() => parseModelVersionFilter("stage = 'x'"), /unknown attribute 'stage'/)
  })
})

describe('parseModelOrderBy', () => {
  it('should parse only the allowed attribute keys', () => {
    const allowed = ['name', 'creation_timestamp', 'last_updated_timestamp']
    assert.deepEqual(parseModelOrderBy('name', allowed), {
      entity: 'attribute',
      key: 'name',
      ascending: true,
    })
    assert.deepEqual(parseModelOrderBy('attribute.creation_timestamp DESC', allowed), {
      entity: 'attribute',
      key: 'creation_timestamp',
      ascending: false,
    })
    assertInvalid(
      () => parseModelOrderBy('version_number', allowed),
      /unknown attribute 'version_number'/,
    )
    assertInvalid(() => parseModelOrderBy('tags.a', allowed), /tags cannot be used here/)
  })
})
