import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { AppError } from '../../shared/errors.js'
import { decodeTensorProto } from './tensor-proto.js'

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value)
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  return [...out, Number(v)]
}
const key = (field: number, wire: number) => varint(BigInt(field * 8 + wire))
const len = (field: number, payload: number[]) => [...key(field, 2), ...varint(BigInt(payload.length)), ...payload]
const packedVarints = (field: number, values: bigint[]) => len(field, values.flatMap(varint))
const name = (text: string) => len(8, [...new TextEncoder().encode(text)])
const dims = (...d: number[]) => packedVarints(1, d.map(BigInt))
const dataType = (t: number) => [...key(2, 0), ...varint(BigInt(t))]

describe('decodeTensorProto', () => {
  it('should read typed fields: int32_data for small ints, int64_data, uint64_data, strings, doubles', () => {
    const int8 = decodeTensorProto(Uint8Array.from([...dims(3), ...dataType(3), ...packedVarints(5, [-1n, 2n, -128n]), ...name('a')]))
    assert.deepEqual(int8, { name: 'a', datatype: 'INT8', shape: [3], data: Int8Array.from([-1, 2, -128]) })
    const int64 = decodeTensorProto(Uint8Array.from([...dims(2), ...dataType(7), ...packedVarints(7, [-(2n ** 63n), 5n])]))
    assert.deepEqual(int64.data, BigInt64Array.from([-(2n ** 63n), 5n]))
    const uint32 = decodeTensorProto(Uint8Array.from([...dims(1), ...dataType(12), ...packedVarints(11, [2n ** 32n - 1n])]))
    assert.deepEqual(uint32.data, Uint32Array.from([2 ** 32 - 1]))
    const strings = decodeTensorProto(Uint8Array.from([...dims(2), ...dataType(8), ...len(6, [0x61]), ...len(6, [0xc3, 0xa9])]))
    assert.deepEqual(strings.data, ['a', 'é'])
    const doubles = new Uint8Array(new Float64Array([0.5, -2]).buffer)
    const fp64 = decodeTensorProto(Uint8Array.from([...dataType(11), ...dims(2), ...len(10, [...doubles])]))
    assert.deepEqual(fp64.data, Float64Array.from([0.5, -2]))
    const scalar = decodeTensorProto(Uint8Array.from([...dataType(9), ...packedVarints(5, [1n])]))
    assert.deepEqual(scalar, { name: '', datatype: 'BOOL', shape: [], data: Uint8Array.from([1]) })
  })

  it('should read little-endian raw_data and unpacked dims', () => {
    const raw = new Uint8Array(new Float32Array([1.5, -3]).buffer)
    const t = decodeTensorProto(Uint8Array.from([...key(1, 0), 1, ...key(1, 0), 2, ...dataType(1), ...len(9, [...raw])]))
    assert.deepEqual(t.shape, [1, 2])
    assert.deepEqual(t.data, Float32Array.from([1.5, -3]))
  })

  it('should refuse wrong sizes, unsupported types and garbage', () => {
    const invalid = (e: unknown) => e instanceof AppError && e.code === 'INVALID_PARAMETER_VALUE'
    assert.throws(() => decodeTensorProto(Uint8Array.from([...dims(3), ...dataType(1), ...len(9, [0, 0, 0, 0])])), (e) => invalid(e) && /4 bytes of raw_data; its shape and type need 12/.test((e as Error).message))
    assert.throws(() => decodeTensorProto(Uint8Array.from([...dims(1), ...dataType(16), ...len(9, [0, 0])])), (e) => invalid(e) && /ONNX data type 16/.test((e as Error).message))
    assert.throws(() => decodeTensorProto(Uint8Array.from([...dims(2), ...dataType(6), ...packedVarints(5, [1n])])), /1 elements; its shape needs 2/)
    assert.throws(() => decodeTensorProto(Uint8Array.from([0x0a, 0x05, 0x01])), (e) => invalid(e) && /not a TensorProto/.test((e as Error).message))
  })

  const abs = '/usr/share/libonnx-testdata/data/node/test_abs/test_data_set_0/input_0.pb'
  it('should read a file of ONNX\'s backend test data', { skip: existsSync(abs) ? false : `${abs} is absent` }, () => {
    const t = decodeTensorProto(readFileSync(abs))
    assert.deepEqual([t.name, t.datatype, t.shape, t.data.length], ['x', 'FP32', [3, 4, 5], 60])
  })
})
