import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parseRunFilter,
} from './search-filter.js'
import { assertInvalid, only } from './search-filter.test-helper.js'
import type { FilterClause } from './search-filter-types.js'

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

