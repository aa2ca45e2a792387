import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { resolveConfig } from '../config/index.js'
import { startServer, type RunningServer } from '../http/start-server.js'
import { invalidParameter } from '../shared/errors.js'
import { churnCsv, type ChurnData } from './churn-data.js'

/** How often the demo's server looks for due monitors and re-reads trigger state. */
const FAST_POLL_MS = 1000

export interface DemoWorkspace {
  readonly dir: string
  readonly server: RunningServer
  /** Writes a CSV under the workspace's data folder and answers its absolute path. */
  writeData(name: string, data: ChurnData): string
  /** Stops the server; removes the folder unless it is kept. */
  close(keep: boolean): Promise<void>
}

/**
 * A folder with its own SQLite store and artifact folder, and a real Plinth server on it. The
 * caller's PLINTH_* environment is not read, so the demo never touches the user's default store.
 */
export async function openDemoWorkspace(options: { dir?: string; port: number }): Promise<DemoWorkspace> {
  const created = options.dir === undefined
  // A folder from an earlier demo already has churn v1, the monitors and the deployment.
  if (!created && existsSync(options.dir!) && readdirSync(options.dir!).length > 0) throw invalidParameter(`--dir '${options.dir}' is not empty; give a new or empty folder for the demo's workspace.`)
  const dir = created ? mkdtempSync(join(tmpdir(), 'plinth-demo-')) : resolve(options.dir!)
  mkdirSync(join(dir, 'data'), { recursive: true })
  const config = resolveConfig({ host: '127.0.0.1', port: options.port, backendStoreUri: `sqlite:///${join(dir, 'plinth.db')}`, artifactsDestination: join(dir, 'artifacts'), logLevel: 'warn' }, {})
  let server: RunningServer
  try {
    server = await startServer(config, false, { triggers: { pollIntervalMs: FAST_POLL_MS }, monitoring: { pollMs: FAST_POLL_MS } })
  } catch (error) {
    if (created) rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    dir,
    server,
    writeData(name, data) {
      const path = join(dir, 'data', name)
      writeFileSync(path, churnCsv(data))
      return path
    },
    async close(keep) {
      await server.close()
      if (!keep && created) rmSync(dir, { recursive: true, force: true })
    },
  }
}
