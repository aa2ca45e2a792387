import { randomUUID } from 'node:crypto'

/**
 * A prediction id Plinth makes: a UUID version 7 (RFC 9562), its first 48 bits the time in
 * milliseconds. Ids made one after another then sort together, so the index on prediction_id
 * grows at its end: with random UUIDs every logged row lands on its own index page, and each
 * write of a batch rewrites about one page per row once the index outgrows memory.
 */
export function newPredictionId(now: number = Date.now()): string {
  // Requests arrive many to a millisecond: its prefix is made once.
  if (now !== lastTime) {
    const time = now.toString(16).padStart(12, '0')
    lastTime = now
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`
  }
  const random = randomUUID()
  return `${lastPrefix}${random.slice(15, 18)}-${random.slice(19)}`
}

let lastTime = -1
let lastPrefix = ''
