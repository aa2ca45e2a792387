/**
 * What triggers remember between polls and across restarts: one cursor per trigger (the last
 * alert seq read, the last cron tick fired, whether a data trigger has taken its baseline) and
 * the items a data trigger has already launched for (object keys with size, dataset ids).
 *
 * Every replica may run triggers, so a cursor only moves by compare-and-set: a replica whose
 * expected value is stale learns it lost the race and re-reads instead of moving it backwards.
 */
export interface TriggerStateStore {
  /** The cursor of a trigger, or undefined before its first write. */
  getCursor(triggerKey: string): Promise<string | undefined>
  /**
   * Sets the cursor to `next` if it currently holds `expected` (undefined: if it has none yet).
   * Returns false, changing nothing, when another writer got there first.
   */
  compareAndSetCursor(triggerKey: string, expected: string | undefined, next: string, now: number): Promise<boolean>
  /** Which of `items` were already marked seen for this trigger. */
  seenAmong(triggerKey: string, items: readonly string[]): Promise<Set<string>>
  /** Marks items seen; marking one twice (two replicas) is not an error. */
  markSeen(triggerKey: string, items: readonly string[], now: number): Promise<void>
  /** Drops every cursor and seen item of a trigger (its pipeline or its filter is gone). */
  forget(triggerKey: string): Promise<void>
}
