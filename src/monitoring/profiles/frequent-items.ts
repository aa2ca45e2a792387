/**
 * Misra–Gries frequent items: at most `capacity` counters; a new item when all are taken
 * decrements every counter. Each kept count underestimates the true one by at most `error`
 * (≤ n/(capacity+1)), and while `error` is 0 the counts are exact and complete. Mergeable by
 * adding counters and cutting back to `capacity` by the (capacity+1)-th largest count
 * (Agarwal et al. 2012), which keeps the same bound for the merged stream.
 */
export interface FrequentItemsState {
  readonly capacity: number
  readonly n: number
  readonly error: number
  readonly counts: Readonly<Record<string, number>>
}

export class FrequentItems {
  readonly capacity: number
  n = 0
  /** Largest possible undercount of any item (0 means exact). */
  error = 0
  readonly counts = new Map<string, number>()

  constructor(capacity = 128) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
    this.capacity = capacity
  }

  static fromState(state: FrequentItemsState): FrequentItems {
    const items = new FrequentItems(state.capacity)
    items.n = state.n
    items.error = state.error
    for (const [k, v] of Object.entries(state.counts)) items.counts.set(k, v)
    return items
  }

  toState(): FrequentItemsState {
    return { capacity: this.capacity, n: this.n, error: this.error, counts: Object.fromEntries(this.counts) }
  }

  get exact(): boolean {
    return this.error === 0
  }

  update(item: string, count = 1): void {
    this.n += count
    const current = this.counts.get(item)
    if (current !== undefined) {
      this.counts.set(item, current + count)
      return
    }
    this.counts.set(item, count)
    if (this.counts.size > this.capacity) this.cutBack()
  }

  /** Subtracts the (capacity+1)-th largest count from all counters and drops the non-positive. */
  private cutBack(): void {
    const sorted = [...this.counts.values()].sort((a, b) => b - a)
    const cut = sorted[this.capacity]!
    for (const [k, v] of this.counts) {
      if (v <= cut) this.counts.delete(k)
      else this.counts.set(k, v - cut)
    }
    this.error += cut
  }

  merge(other: FrequentItems): this {
    for (const [k, v] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + v)
    this.n += other.n
    this.error += other.error
    if (this.counts.size > this.capacity) this.cutBack()
    return this
  }
}
