/** The time source, injectable so tests can fix it. Milliseconds since the epoch. */
export interface Clock {
  now(): number
}

export const SYSTEM_CLOCK: Clock = Object.freeze({ now: () => Date.now() })
