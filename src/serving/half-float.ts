/**
 * IEEE 754 binary16 conversions. Node 20 has no Float16Array and onnxruntime-node takes FP16 as
 * a Uint16Array of bits, so JSON numbers are converted here.
 */

/**
 * The half-float bits nearest to `value`, ties to even, as hardware does. Going through float32
 * first would round twice (double → float → half) and can be off by one ulp, so the rounding is
 * done from the double directly.
 */
export function toHalfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0
  const abs = Math.abs(value)
  if (abs === Infinity) return sign | 0x7c00
  if (abs >= 65520) return sign | 0x7c00 // the halfway point above the largest half (65504) rounds up to Infinity
  if (abs < 2 ** -14) {
    // Subnormal: units of 2^-24, rounded half to even.
    return sign | roundHalfEven(abs * 2 ** 24)
  }
  let exponent = Math.floor(Math.log2(abs))
  // log2 can be off by one near powers of two.
  if (2 ** exponent > abs) exponent--
  else if (2 ** (exponent + 1) <= abs) exponent++
  const mantissa = roundHalfEven((abs / 2 ** exponent - 1) * 1024)
  // A mantissa that rounds up to 1024 carries into the exponent, which the addition does for us.
  return sign | (((exponent + 15) << 10) + mantissa)
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff > 0.5) return floor + 1
  if (diff < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** The number a half float's bits stand for (exact: every half is a double). */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

