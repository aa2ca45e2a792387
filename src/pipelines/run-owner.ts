import { hostname } from 'node:os'

/**
 * Whether the process named by an owner id (`host:pid:token`) is gone: on this host when its pid
 * no longer exists, anywhere when its heartbeat is older than `staleMs`.
 */
export function ownerIsGone(owner: string, heartbeatAt: number | null, staleMs: number, now = Date.now()): boolean {
  const [host, pidText] = owner.split(':')
  const pid = Number(pidText)
  if (host === hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) return true
  return heartbeatAt === null || now - heartbeatAt > staleMs
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
