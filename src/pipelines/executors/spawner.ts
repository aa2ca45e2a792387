import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'

export interface SpawnRequest {
  readonly file: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** stdout and stderr are appended here. */
  readonly logPath: string
}

export interface GroupExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Set when the command could not be started at all (not found, not executable). */
  readonly spawnError?: Error
}

/** A command started as the leader of its own process group. */
export interface Spawned {
  readonly pid: number | undefined
  readonly startedAt: number
  readonly exited: Promise<GroupExit>
}

/** Starts commands in their own process group: from this process, or through the spawn helper. */
export interface Spawner {
  spawn(request: SpawnRequest): Promise<Spawned>
  close(): Promise<void>
}

/** Spawns from this process (queue workers, and until the helper is up). */
export const directSpawner: Spawner = {
  async spawn(request) {
    const logFd = openSync(request.logPath, 'a')
    try {
      const child = spawn(request.file, [...request.args], { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', logFd, logFd] })
      const startedAt = Date.now()
      const exited = new Promise<GroupExit>((resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }))
        child.once('exit', (code, signal) => resolve({ code, signal }))
      })
      return { pid: child.pid, startedAt, exited }
    } finally {
      closeSync(logFd)
    }
  },
  async close() {},
}
