import { randomFillSync } from 'node:crypto'

/**
 * A prediction id Plinth makes: a UUID version 7 (RFC 9562), its first 48 bits the time in
 * milliseconds. Ids made one after another then sort together, so an index on them grows at its
 * end: with random UUIDs every logged id lands on its own index page.
 *
 * The id is written as ASCII into a small buffer and read out as one flat string: one built by
 * concatenating slices of randomUUID() is a rope, and every copy of it (the clone that hands a
 * batch of logs to the writer thread) first had to flatten it, about 0.5 µs an id.
 */
export function newPredictionId(now: number = Date.now()): string {
  // Requests arrive many to a millisecond: its prefix is written once.
  if (now !== lastTime) {
    lastTime = now
    let t = now
    for (let i = 12; i-- > 0; t = Math.floor(t / 16)) text[i < 8 ? i : i + 1] = HEX[t % 16]!
  }
  if (poolAt + RANDOM_BYTES > pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  let at = poolAt
  poolAt += RANDOM_BYTES
  for (const p of RANDOM_PAIRS) {
    const byte = pool[at++]!
    text[p] = HEX[byte >> 4]!
    text[p + 1] = HEX[byte & 15]!
  }
  const last = pool[at++]!
  text[17] = HEX[last >> 4]!
  text[22] = HEX[last & 15]!
  // RFC 9562 variant bits 10: the first digit of the fourth group is 8, 9, a or b.
  text[19] = HEX[8 | (pool[at]! & 3)]!
  return text.toString('latin1', 0, 36)
}

const HEX = Buffer.from('0123456789abcdef', 'latin1')
/** The template: time digits at 0-7 and 9-12, the version at 14, the variant at 19, random digits elsewhere. */
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1')
/** Each of these random bytes fills two digits from here; one more fills 17 and 22, one the variant. */
const RANDOM_PAIRS = [15, 20, 24, 26, 28, 30, 32, 34]
const RANDOM_BYTES = RANDOM_PAIRS.length + 2
const pool = Buffer.alloc(4096)
let poolAt = pool.length
let lastTime = -1
