import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'

/**
 * The spawn helper: a small process that starts step commands for the server. Node forks the
 * whole parent to spawn a child, and fork time grows with the parent's memory (about 1 ms at
 * 50 MB, 5-15 ms at 150 MB+ on the test machine), all of it on the server's only JavaScript
 * thread. Spawning from this near-empty process keeps that cost off the server and lets 20
 * steps made ready at once start in a few milliseconds. Imports nothing but node:, so it starts
 * fast and stays small. It exits when the server goes away; the steps it started keep running,
 * as they would if the server had spawned them itself (they are in their own process groups).
 */

export interface SpawnMessage {
  readonly id: number
  readonly file: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** stdout and stderr are appended here. */
  readonly logPath: string
}

export type HelperReply =
  | { readonly type: 'ready' }
  | { readonly type: 'spawned'; readonly id: number; readonly pid: number | undefined; readonly startedAt: number }
  | { readonly type: 'exit'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly type: 'error'; readonly id: number; readonly message: string }

function send(reply: HelperReply): void {
  process.send?.(reply)
}

function start(message: SpawnMessage): void {
  let logFd: number | undefined
  try {
    logFd = openSync(message.logPath, 'a')
    const child = spawn(message.file, [...message.args], { cwd: message.cwd, env: message.env, detached: true, stdio: ['ignore', logFd, logFd] })
    send({ type: 'spawned', id: message.id, pid: child.pid, startedAt: Date.now() })
    let settled = false
    child.once('error', (error) => {
      if (!settled) send({ type: 'error', id: message.id, message: error.message })
      settled = true
    })
    child.once('exit', (code, signal) => {
      if (!settled) send({ type: 'exit', id: message.id, code, signal })
      settled = true
    })
  } catch (error) {
    send({ type: 'spawned', id: message.id, pid: undefined, startedAt: Date.now() })
    send({ type: 'error', id: message.id, message: (error as Error).message })
  } finally {
    if (logFd !== undefined) closeSync(logFd)
  }
}

process.on('message', (message: SpawnMessage) => start(message))
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })
