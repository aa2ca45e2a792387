import { type ChildProcess, fork } from 'node:child_process'
import type { HelperReply, SpawnMessage } from './spawn-helper-process.js'
import { directSpawner, type GroupExit, type SpawnRequest, type Spawned, type Spawner } from './spawner.js'

interface Pending {
  readonly started: (spawned: { pid: number | undefined; startedAt: number }) => void
  readonly ended: (exit: GroupExit) => void
  readonly exited: Promise<GroupExit>
  pid?: number
}

/**
 * Spawns step commands through the spawn helper process (see spawn-helper-process.ts for why).
 * The helper starts on first use; until it says it is ready, and whenever it is down, commands
 * are spawned from this process, so no step ever waits for the helper.
 */
export class HelperSpawner implements Spawner {
  #helper: ChildProcess | undefined
  #ready = false
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  #readyWaiters: Array<(ready: boolean) => void> = []

  async spawn(request: SpawnRequest): Promise<Spawned> {
    if (!this.#helper) this.#start()
    if (!this.#ready || !this.#helper?.connected) return directSpawner.spawn(request)
    const id = this.#nextId++
    let ended!: (exit: GroupExit) => void
    const exited = new Promise<GroupExit>((resolve) => (ended = resolve))
    const started = await new Promise<{ pid: number | undefined; startedAt: number }>((resolve) => {
      this.#pending.set(id, { started: resolve, ended, exited })
      this.#helper!.channel?.ref()
      this.#helper!.send({ id, ...request } satisfies SpawnMessage)
    })
    return { ...started, exited }
  }

  /** Starts the helper if needed; true once it takes requests, false if it stopped first. */
  whenReady(): Promise<boolean> {
    if (!this.#helper) this.#start()
    if (this.#ready) return Promise.resolve(true)
    this.#helper!.channel?.ref()
    return new Promise((resolve) => this.#readyWaiters.push(resolve))
  }

  /** Waits for the commands it started to end (the caller kills them), then lets the helper go. */
  async close(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending.values()].map((p) => p.exited))
    const helper = this.#helper
    if (helper?.connected) helper.disconnect()
  }

  #start(): void {
    const entry = new URL(`./spawn-helper-process.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)
    // From TypeScript sources (tests, tsx) the helper needs the tsx loader; built, it runs as is.
    const execArgv = import.meta.url.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []
    const helper = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' })
    this.#helper = helper
    helper.unref()
    helper.channel?.unref()
    helper.on('message', (reply: HelperReply) => this.#onReply(reply))
    helper.once('exit', () => this.#onHelperExit(helper))
    // A send racing the helper's exit; #onHelperExit settles what was in flight.
    helper.on('error', () => undefined)
  }

  #onReply(reply: HelperReply): void {
    if (reply.type === 'ready') {
      this.#ready = true
      this.#wakeReadyWaiters(true)
      return
    }
    const pending = this.#pending.get(reply.id)
    if (!pending) return
    if (reply.type === 'spawned') {
      if (reply.pid !== undefined) pending.pid = reply.pid
      pending.started({ pid: reply.pid, startedAt: reply.startedAt })
      return
    }
    this.#settle(reply.id, reply.type === 'exit' ? { code: reply.code, signal: reply.signal } : { code: null, signal: null, spawnError: new Error(reply.message) })
  }

  #settle(id: number, exit: GroupExit): void {
    this.#pending.get(id)?.ended(exit)
    this.#pending.delete(id)
    if (this.#pending.size === 0) this.#helper?.channel?.unref()
  }

  /** Without the helper, its children's exits cannot be observed: they are killed and reported. */
  #onHelperExit(helper: ChildProcess): void {
    if (this.#helper !== helper) return
    this.#helper = undefined
    this.#ready = false
    this.#wakeReadyWaiters(false)
    for (const [id, pending] of this.#pending) {
      if (pending.pid !== undefined) killGroup(pending.pid)
      pending.started({ pid: pending.pid, startedAt: Date.now() })
      this.#settle(id, { code: null, signal: null, spawnError: new Error('the spawn helper process stopped while the step ran; the step was killed') })
    }
  }

  #wakeReadyWaiters(ready: boolean): void {
    for (const wake of this.#readyWaiters.splice(0)) wake(ready)
    if (this.#pending.size === 0) this.#helper?.channel?.unref()
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is gone already.
  }
}
