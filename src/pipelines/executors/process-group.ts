import type { GroupExit, Spawned } from './spawner.js'

export type { GroupExit } from './spawner.js'

/**
 * A command in its own process group, so a timeout or cancel ends everything it started
 * (`sh -c 'a & b'` leaves `a` running if only the shell is killed).
 */
export class ProcessGroup {
  readonly #pid: number | undefined
  readonly exited: Promise<GroupExit>
  readonly startedAt: number

  constructor(spawned: Spawned) {
    this.#pid = spawned.pid
    this.startedAt = spawned.startedAt
    this.exited = spawned.exited
  }

  get pid(): number | undefined {
    return this.#pid
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs` to whatever is left. */
  async terminate(graceMs: number): Promise<void> {
    this.signal('SIGTERM')
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())
    await Promise.race([this.exited, timer])
    // Children that outlive the leader (or ignore SIGTERM) still share its group id.
    if (graceMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, Math.min(graceMs, 200)).unref())
    this.signal('SIGKILL')
  }

  /** Kills what the command left running after it exited (daemonized helpers, `&` jobs). */
  sweep(): void {
    this.signal('SIGKILL')
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.#pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}
