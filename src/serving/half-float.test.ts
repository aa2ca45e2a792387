import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromHalfBits, toHalfBits } from './half-float.js'

describe('half floats', () => {
  it('should round-trip every one of the 65,536 bit patterns (NaNs to the canonical NaN)', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = fromHalfBits(bits)
      if (Number.isNaN(value)) assert.equal(toHalfBits(value), 0x7e00)
      else assert.equal(toHalfBits(value), bits, `bits 0x${bits.toString(16)} → ${value}`)
    }
  })

  it('should round to nearest, ties to even, from the double directly', () => {
    assert.equal(toHalfBits(1 + 2 ** -11), 0x3c00) // halfway between 1 and its successor: even wins
    assert.equal(toHalfBits(1 + 3 * 2 ** -11), 0x3c02)
    assert.equal(toHalfBits(1 + 2 ** -11 + 2 ** -30), 0x3c01) // just above halfway
    assert.equal(toHalfBits(0.1), 0x2e66)
    assert.equal(toHalfBits(2 ** -25), 0) // half of the smallest subnormal: ties to even (zero)
    assert.equal(toHalfBits(3 * 2 ** -26), 1)
  })

  it('should overflow to infinity past 65504 and keep signs', () => {
    assert.equal(toHalfBits(65504), 0x7bff)
    assert.equal(toHalfBits(65519), 0x7bff)
    assert.equal(toHalfBits(65520), 0x7c00)
    assert.equal(toHalfBits(-1e9), 0xfc00)
    assert.equal(toHalfBits(-0), 0x8000)
    assert.equal(fromHalfBits(0xfc00), -Infinity)
  })
})
