import { type ChildProcess, spawn } from 'node:child_process'

export interface GroupExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Set when the command could not be started at all (not found, not executable). */
  readonly spawnError?: Error
}

/**
 * A command in its own process group, so a timeout or cancel ends everything it started
 * (`sh -c 'a & b'` leaves `a` running if only the shell is killed).
 */
export class ProcessGroup {
  readonly #child: ChildProcess
  readonly exited: Promise<GroupExit>
  readonly startedAt: number

  constructor(file: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; logFd: number }) {
    this.#child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', options.logFd, options.logFd] })
    this.startedAt = Date.now()
    this.exited = new Promise((resolve) => {
      this.#child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }))
      this.#child.once('exit', (code, signal) => resolve({ code, signal }))
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
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
    const pid = this.#child.pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}
