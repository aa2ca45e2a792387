import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ModelSignature, Tensor } from '../tensor-types.js'
import { decodeMlflowScoringCsv, decodeMlflowScoringJson, encodeMlflowPredictions, parseCsv } from './mlflow-scoring-codec.js'

const matrix: ModelSignature = { inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 3] }], outputs: [] }
const perColumn: ModelSignature = {
  inputs: [
    { name: 'age', datatype: 'INT64', shape: [-1, 1] },
    { name: 'city', datatype: 'BYTES', shape: [-1] },
    { name: 'member', datatype: 'BOOL', shape: [-1] },
  ],
  outputs: [],
}

describe('decodeMlflowScoringJson', () => {
  it('should read dataframe_split columns in order into a [-1, n] input', () => {
    const [x] = decodeMlflowScoringJson({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2, 3], [4, 5, null]] } }, matrix)
    assert.deepEqual(x!.shape, [2, 3])
    assert.deepEqual([...(x!.data as Float32Array)].slice(0, 5), [1, 2, 3, 4, 5])
    assert.ok(Number.isNaN((x!.data as Float32Array)[5]))
  })

  it('should reorder columns by the model\'s feature names when given', () => {
    const [x] = decodeMlflowScoringJson({ dataframe_records: [{ c: 3, a: 1, b: 2 }] }, matrix, { columns: ['a', 'b', 'c'] })
    assert.deepEqual(x!.data, Float32Array.from([1, 2, 3]))
    assert.throws(() => decodeMlflowScoringJson({ dataframe_records: [{ a: 1, b: 2, d: 3 }] }, matrix, { columns: ['a', 'b', 'c'] }), /unknown column 'd'/)
  })

  it('should feed one input per column by name', () => {
    const [age, city, member] = decodeMlflowScoringJson({ dataframe_records: [{ city: 'Oslo', age: 40, member: true }, { age: 31, city: 'Lyon', member: false }] }, perColumn)
    assert.deepEqual(age!.shape, [2, 1])
    assert.deepEqual(age!.data, BigInt64Array.from([40n, 31n]))
    assert.deepEqual(city!.data, ['Oslo', 'Lyon'])
    assert.deepEqual(member!.data, Uint8Array.from([1, 0]))
  })

  it('should accept instances and inputs as TensorFlow Serving does', () => {
    assert.deepEqual(decodeMlflowScoringJson({ instances: [[1, 2, 3]] }, matrix)[0]!.shape, [1, 3])
    assert.deepEqual(decodeMlflowScoringJson({ inputs: [[1, 2, 3], [4, 5, 6]], params: { k: 1 } }, matrix)[0]!.shape, [2, 3])
  })

  it('should refuse a table that does not fit the model', () => {
    assert.throws(() => decodeMlflowScoringJson({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } }, matrix), /input 'X' has shape \[-1, 3\]; the table gives 1 rows of 2 columns \(a, b\)/)
    assert.throws(() => decodeMlflowScoringJson({ dataframe_records: [{ age: 1, city: 'x' }] }, perColumn), /no column 'member'/)
    assert.throws(() => decodeMlflowScoringJson({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2]] } }, matrix), /data\[0\] has 2 values; there are 3 columns/)
    assert.throws(() => decodeMlflowScoringJson({ dataframe_records: [{ a: 1, b: 'x', c: 3 }] }, matrix), /element 1 is "x"/)
    assert.throws(() => decodeMlflowScoringJson({ data: [] }, matrix), /send exactly one of "dataframe_split"/)
    assert.throws(() => decodeMlflowScoringJson({ dataframe_split: { data: [[1, 2, 3], [4, 5, 6]] } }, matrix, { maxElements: 5 }), /6 values, more than the 5 allowed/)
  })
})

describe('decodeMlflowScoringCsv', () => {
  it('should read a CSV with a header, numbers, quotes, empty cells and booleans', () => {
    const [x] = decodeMlflowScoringCsv('a,b,c\r\n1,2.5,"3"\n4,,6\n', matrix)
    assert.deepEqual(x!.shape, [2, 3])
    assert.ok(Number.isNaN((x!.data as Float32Array)[4]))
    const [age, city, member] = decodeMlflowScoringCsv('age,city,member\n40,"Oslo, NO",True\n', perColumn)
    assert.deepEqual(age!.data, BigInt64Array.from([40n]))
    assert.deepEqual(city!.data, ['Oslo, NO'])
    assert.deepEqual(member!.data, Uint8Array.from([1]))
  })

  it('should refuse an empty body, uneven rows and bad numbers', () => {
    assert.throws(() => decodeMlflowScoringCsv('', matrix), /CSV body is empty/)
    assert.throws(() => decodeMlflowScoringCsv('a,b,c\n1,2\n', matrix), /CSV row 2 has 2 fields; the header has 3/)
    assert.throws(() => decodeMlflowScoringCsv('age,city,member\n4.5,x,true\n', perColumn), /column 'age': element 0 is "4.5"; INT64 needs integers/)
  })

  it('should parse RFC 4180 quoting', () => {
    assert.deepEqual(parseCsv('x,"a ""q"" b",\n"multi\nline",2,3'), [['x', 'a "q" b', ''], ['multi\nline', '2', '3']])
    assert.throws(() => parseCsv('"open'), /inside a quoted field/)
  })
})

describe('encodeMlflowPredictions', () => {
  it('should return one output as rows and several by name', () => {
    const p: Tensor = { name: 'p', datatype: 'FP64', shape: [2], data: Float64Array.from([0.25, 0.75]) }
    const l: Tensor = { name: 'l', datatype: 'BYTES', shape: [2], data: ['no', 'yes'] }
    assert.deepEqual(encodeMlflowPredictions([p]), { predictions: [0.25, 0.75] })
    assert.deepEqual(encodeMlflowPredictions([p, l]), { predictions: { p: [0.25, 0.75], l: ['no', 'yes'] } })
  })
})
