import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../shared/errors.js'
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseModelOrderBy,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunFilter,
  parseRunOrderBy,
} from './search-filter.js'
import type { FilterClause } from './search-filter-types.js'

function assertInvalid(fn: () => unknown, fragment: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError)
    assert.equal(error.code, 'INVALID_PARAMETER_VALUE')
    assert.match(error.message, fragment)
    return true
  })
}

function only(filter: string, parse = parseRunFilter): FilterClause {
  const clauses = parse(filter)
  assert.equal(clauses.length, 1)
  return clauses[0] as FilterClause
}

describe('parseRunFilter', () => {
  it('should return no clauses for an empty, blank or missing filter', () => {
    assert.deepEqual(parseRunFilter(undefined), [])
    assert.deepEqual(parseRunFilter(''), [])
    assert.deepEqual(parseRunFilter('  \n\t '), [])
  })

  it('should parse clauses joined by AND in any case', () => {
    assert.deepEqual(
      parseRunFilter(
        "metrics.acc > 0.9 and params.lr = '0.1' AND tags.team != 'x' And status = 'RUNNING'",
      ),
      [
        { entity: 'metric', key: 'acc', comparator: '>', value: 0.9 },
        { entity: 'param', key: 'lr', comparator: '=', value: '0.1' },
        { entity: 'tag', key: 'team', comparator: '!=', value: 'x' },
        { entity: 'attribute', key: 'status', comparator: '=', value: 'RUNNING' },
      ],
    )
  })

  it('should accept clauses without spaces around comparators', () => {
    assert.deepEqual(parseRunFilter("metrics.a>=1 and tags.b!='x'"), [
      { entity: 'metric', key: 'a', comparator: '>=', value: 1 },
      { entity: 'tag', key: 'b', comparator: '!=', value: 'x' },
    ])
  })

  it('should resolve every entity prefix', () => {
    const cases: Array<[string, FilterClause['entity']]> = [
      ['metrics.k > 1', 'metric'],
      ['metric.k > 1', 'metric'],
      ["params.k = 'v'", 'param'],
      ["param.k = 'v'", 'param'],
      ["parameter.k = 'v'", 'param'],
      ["parameters.k = 'v'", 'param'],
      ["tags.k = 'v'", 'tag'],
      ["tag.k = 'v'", 'tag'],
      ["attributes.run_name = 'v'", 'attribute'],
      ["attribute.run_name = 'v'", 'attribute'],
      ["attr.run_name = 'v'", 'attribute'],
      ["run.run_name = 'v'", 'attribute'],
      ["run_name = 'v'", 'attribute'],
      ["datasets.name = 'v'", 'dataset'],
      ["dataset.name = 'v'", 'dataset'],
    ]
    for (const [filter, entity] of cases) assert.equal(only(filter).entity, entity, filter)
  })

  it('should read quoted and dotted keys', () => {
    assert.equal(only('metrics."my metric" < 1').key, 'my metric')
    assert.equal(only('metrics.`my metric` < 1').key, 'my metric')
    assert.equal(only('`metrics`.`my metric` < 1').key, 'my metric')
    assert.equal(only("tags.`mlflow.runName` = 'x'").key, 'mlflow.runName')
    assert.equal(only("tags.mlflow.runName = 'x'").key, 'mlflow.runName')
    assert.equal(only('params."model-type" = \'x\'').key, 'model-type')
    assert.equal(only('metrics.1st_epoch_loss < 1').key, '1st_epoch_loss')
    assert.equal(only('metrics."a""b" < 1').key, 'a"b')
  })

  it('should read single- and double-quoted values with their escapes', () => {
    assert.equal(only("params.a = 'x y'").value, 'x y')
    assert.equal(only('params.a = "x y"').value, 'x y')
    assert.equal(only("params.a = 'it''s'").value, "it's")
    assert.equal(only("params.a = 'it\\'s'").value, "it's")
    assert.equal(only('params.a = "say ""hi"""').value, 'say "hi"')
    assert.equal(only('params.a = "it\'s"').value, "it's")
    assert.equal(only("params.a = 'C:\\dir\\\\x'").value, 'C:\\dir\\x')
    assert.equal(only("params.a = ''").value, '')
    assert.equal(only("params.a = 'x AND y'").value, 'x AND y')
  })

  it('should accept each metric comparator with negative, decimal and exponent numbers', () => {
    const numbers: Array<[string, number]> = [
      ['1', 1],
      ['-1', -1],
      ['+2', 2],
      ['0.5', 0.5],
      ['.5', 0.5],
      ['-1.5e-3', -0.0015],
      ['2E3', 2000],
      ['1e+2', 100],
    ]
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      for (const [text, value] of numbers) {
        assert.deepEqual(only(`metrics.m ${op} ${text}`), {
          entity: 'metric',
          key: 'm',
          comparator: op,
          value,
        })
      }
    }
  })

  it('should accept = != LIKE ILIKE for params and tags, comparators in any case', () => {
    for (const prefix of ['params', 'tags']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
        assert.equal(only(`${prefix}.k ${op} 'v%'`).comparator, op)
      }
      assert.equal(only(`${prefix}.k like 'v%'`).comparator, 'LIKE')
      assert.equal(only(`${prefix}.k iLike 'v%'`).comparator, 'ILIKE')
    }
  })

  it('should accept string attributes with string comparators and keep status as given', () => {
    for (const key of [
      'run_id',
      'run_name',
      'status',
      'user_id',
      'artifact_uri',
      'lifecycle_stage',
    ]) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
        assert.deepEqual(only(`attributes.${key} ${op} 'v'`), {
          entity: 'attribute',
          key,
          comparator: op,
          value: 'v',
        })
      }
    }
    assert.equal(only("status = 'finished'").value, 'finished')
  })

  it('should accept numeric attributes with numeric comparators', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      assert.deepEqual(only(`start_time ${op} 1700000000000`), {
        entity: 'attribute',
        key: 'start_time',
        comparator: op,
        value: 1700000000000,
      })
      assert.equal(only(`attributes.end_time ${op} 5`).key, 'end_time')
    }
  })

  it('should map attribute aliases to canonical names', () => {
    assert.equal(only('created > 1').key, 'start_time')
    assert.equal(only('Created > 1').key, 'start_time')
    assert.equal(only("attributes.`run name` = 'x'").key, 'run_name')
    assert.equal(only("attributes.`Run name` = 'x'").key, 'run_name')
    assert.equal(only('attributes."Run Name" = \'x\'').key, 'run_name')
    assert.equal(only("`Run Name` = 'x'").key, 'run_name')
    assert.equal(only("run_uuid = 'abc'").key, 'run_id')
  })

  it('should parse IN and NOT IN lists for run_id', () => {
    assert.deepEqual(only('attributes.run_id IN (\'a1\', "b2")'), {
      entity: 'attribute',
      key: 'run_id',
      comparator: 'IN',
      value: ['a1', 'b2'],
    })
    assert.deepEqual(only("run_id not in ('a1')").value, ['a1'])
    assert.equal(only("run_id not in ('a1')").comparator, 'NOT IN')
    assert.deepEqual(only("run_uuid IN('x','y' , 'z')").value, ['x', 'y', 'z'])
  })

  it('should parse dataset clauses with string and list comparators', () => {
    for (const key of ['name', 'digest', 'context']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) {
        assert.deepEqual(only(`datasets.${key} ${op} 'v'`), {
          entity: 'dataset',
          key,
          comparator: op,
          value: 'v',
        })
      }
      assert.deepEqual(only(`datasets.${key} IN ('a', 'b')`).value, ['a', 'b'])
      assert.equal(only(`dataset.${key} NOT IN ('a')`).comparator, 'NOT IN')
    }
  })

  it('should reject OR with INVALID_PARAMETER_VALUE', () => {
    assertInvalid(() => parseRunFilter('metrics.a > 1 OR metrics.b < 2'), /OR is not supported/)
    assertInvalid(() => parseRunFilter("params.a = 'x' or params.b = 'y'"), /OR is not supported/)
  })

  it('should reject parentheses with INVALID_PARAMETER_VALUE', () => {
    assertInvalid(() => parseRunFilter('(metrics.a > 1)'), /parentheses are not supported/)
    assertInvalid(() => parseRunFilter('metrics.a > 1 AND (metrics.b < 2)'), /parentheses/)
    assertInvalid(() => parseRunFilter('metrics.a > 1)'), /parentheses/)
  })

  it('should reject a comparator the entity does not support, listing the allowed ones', () => {
    assertInvalid(
      () => parseRunFilter("metrics.acc LIKE 'x'"),
      /^Invalid comparator 'LIKE' for metric 'acc': metrics support =, !=, <, <=, >, >=$/,
    )
    assertInvalid(() => parseRunFilter("metrics.acc IN ('1')"), /comparator 'IN' for metric/)
    assertInvalid(() => parseRunFilter("params.lr > '1'"), /comparator '>' for param 'lr': params/)
    assertInvalid(() => parseRunFilter("tags.t IN ('a')"), /comparator 'IN' for tag 't': tags/)
    assertInvalid(
      () => parseRunFilter("run_name IN ('a')"),
      /comparator 'IN' for attribute 'run_name': run_name supports =, !=, LIKE, ILIKE$/,
    )
    assertInvalid(() => parseRunFilter("status NOT IN ('a')"), /comparator 'NOT IN' for attribute/)
    assertInvalid(() => parseRunFilter('start_time LIKE 1'), /'LIKE' for attribute 'start_time'/)
    assertInvalid(() => parseRunFilter("datasets.name > 'a'"), /'>' for dataset 'name'/)
    assertInvalid(() => parseRunFilter("params.a <> 'x'"), /comparator '<>'/)
    assertInvalid(() => parseRunFilter("params.a == 'x'"), /comparator '=='/)
    assertInvalid(() => parseRunFilter("params.a NOT LIKE 'x'"), /comparator 'NOT LIKE'/)
    assertInvalid(() => parseRunFilter("params.a IS 'x'"), /comparator 'IS'/)
  })

  it('should reject a clause with no comparator or no value', () => {
    assertInvalid(
      () => parseRunFilter('metrics.acc'),
      /clause 'metrics.acc' .*expected a comparator/,
    )
    assertInvalid(
      () => parseRunFilter('metrics.acc >'),
      /^Invalid clause 'metrics.acc >' in filter: expected a value after '>'$/,
    )
    assertInvalid(
      () => parseRunFilter("params.a = 'x' AND params.b ="),
      /expected a value after '='/,
    )
    assertInvalid(() => parseRunFilter("params.a 'x'"), /expected a comparator/)
  })

  it('should reject an unterminated string', () => {
    assertInvalid(() => parseRunFilter("params.a = 'abc"), /unterminated string .*close it/)
    assertInvalid(() => parseRunFilter('params.a = "abc'), /unterminated string/)
    assertInvalid(() => parseRunFilter("params.a = 'it''"), /unterminated string/)
    assertInvalid(() => parseRunFilter('metrics."acc > 1'), /unterminated string/)
    assertInvalid(() => parseRunFilter("run_id IN ('a', 'b)"), /unterminated string/)
  })

  it('should reject trailing garbage and dangling AND', () => {
    assertInvalid(
      () => parseRunFilter('metrics.a > 1 foo'),
      /unexpected 'foo' .*join clauses with AND/,
    )
    assertInvalid(() => parseRunFilter("params.a = 'x' 'y'"), /unexpected ''y''/)
    assertInvalid(() => parseRunFilter("params.a = 'x'; params.b = 'y'"), /unexpected ';/)
    assertInvalid(() => parseRunFilter('metrics.a > 1 AND'), /after the last AND/)
    assertInvalid(() => parseRunFilter('AND metrics.a > 1'), /expected a clause before 'AND'/)
    assertInvalid(() => parseRunFilter('metrics.a > 1 and and metrics.b > 2'), /before 'AND'/)
    assertInvalid(
      () => parseRunFilter('metrics.a > 1 ANDmetrics.b > 2'),
      /unexpected 'ANDmetrics.b'/,
    )
  })

  it('should reject an unknown attribute, listing the valid ones', () => {
    assertInvalid(
      () => parseRunFilter("foo = 'x'"),
      new RegExp(
        "unknown attribute 'foo'; valid attributes are run_id, run_name, status, user_id, " +
          'artifact_uri, lifecycle_stage, start_time, end_time$',
      ),
    )
    assertInvalid(() => parseRunFilter("attributes.name = 'x'"), /unknown attribute 'name'/)
    assertInvalid(
      () => parseRunFilter("datasets.size = 'x'"),
      /unknown dataset key 'size'.*name, digest, context/,
    )
  })

  it('should reject an unknown entity prefix', () => {
    assertInvalid(
      () => parseRunFilter('metricz.acc > 1'),
      /unknown entity 'metricz'; use an attribute, metrics/,
    )
    assertInvalid(() => parseRunFilter('Metrics.acc > 1'), /unknown entity 'Metrics'/)
  })

  it('should reject a non-numeric constant for a metric or numeric attribute', () => {
    assertInvalid(() => parseRunFilter("metrics.acc > '0.9'"), /expected a number for metric 'acc'/)
    assertInvalid(
      () => parseRunFilter('metrics.acc > abc'),
      /expected a number after '>', got 'abc'/,
    )
    assertInvalid(() => parseRunFilter('metrics.acc > 1e'), /expected a number after '>', got '1e'/)
    assertInvalid(() => parseRunFilter('metrics.acc > 1.2.3'), /got '1.2.3'/)
    assertInvalid(
      () => parseRunFilter("start_time > '5'"),
      /expected a number for attribute 'start_time'/,
    )
  })

  it('should reject unquoted string constants', () => {
    assertInvalid(
      () => parseRunFilter('params.lr = 0.1'),
      /expected a quoted string for param 'lr'.*'0.1'/,
    )
    assertInvalid(
      () => parseRunFilter('tags.t = abc'),
      /expected a quoted string after '=', got 'abc'/,
    )
    assertInvalid(() => parseRunFilter('status = `FAILED`'), /expected a quoted string/)
  })

  it('should reject malformed IN lists', () => {
    assertInvalid(() => parseRunFilter("run_id IN 'a'"), /IN needs a parenthesised list/)
    assertInvalid(() => parseRunFilter('run_id IN ()'), /IN list is empty/)
    assertInvalid(
      () => parseRunFilter('run_id IN (1, 2)'),
      /expected a quoted string in the IN list/,
    )
    assertInvalid(() => parseRunFilter("run_id IN ('a' 'b')"), /expected ',' or '\)'/)
    assertInvalid(
      () => parseRunFilter("run_id IN ('a',)"),
      /expected a quoted string in the IN list/,
    )
    assertInvalid(() => parseRunFilter("run_id IN ('a'"), /expected ',' or '\)' .*reached the end/)
    assertInvalid(() => parseRunFilter("run_id = ('a')"), /only allowed after IN or NOT IN/)
  })

  it('should reject keys with unquoted symbols or a missing key after the prefix', () => {
    assertInvalid(() => parseRunFilter("params.model-type = 'x'"), /unexpected '-' .*quote keys/)
    assertInvalid(() => parseRunFilter('metrics. acc > 1'), /expected a key after 'metrics.'/)
    assertInvalid(() => parseRunFilter('metrics.`a`.b > 1'), /quote the whole key/)
    assertInvalid(() => parseRunFilter('= 1'), /expected an attribute, metrics/)
  })
})

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
