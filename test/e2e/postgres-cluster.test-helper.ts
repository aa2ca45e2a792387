import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** Why the local cluster cannot be restarted by this test, or undefined when it can. */
export function restartUnavailable(): string | undefined {
  if (!process.env.PLINTH_TEST_POSTGRES_URL) return 'PLINTH_TEST_POSTGRES_URL is not set'
  if (!existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/etc/postgresql')) return 'pg_ctlcluster is not installed (Debian postgresql-common)'
  if (process.getuid?.() !== 0) return 'restarting PostgreSQL needs root'
  if (clusterVersion() === undefined) return 'no cluster under /etc/postgresql'
  return undefined
}

function clusterVersion(): string | undefined {
  return readdirSync('/etc/postgresql').sort().at(-1)
}

async function ctl(action: 'start' | 'stop'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion()!, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])])
}

/** Whether the cluster answers (`pg_isready`). */
export async function isReady(): Promise<boolean> {
  return run('pg_isready', ['-q', '-h', '127.0.0.1']).then(() => true, () => false)
}

export const stopCluster = () => ctl('stop')

/** Starts the cluster and waits until it accepts connections again. */
export async function startCluster(): Promise<void> {
  if (!(await isReady())) await ctl('start').catch(() => undefined)
  for (let i = 0; i < 100 && !(await isReady()); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  if (!(await isReady())) throw new Error('PostgreSQL did not come back: run pg_ctlcluster <version> main start')
}

/** The test URL pointed at another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(process.env.PLINTH_TEST_POSTGRES_URL!)
  url.pathname = `/${name}`
  return url.href
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.PLINTH_TEST_POSTGRES_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export const createDatabase = (name: string) => admin(`CREATE DATABASE ${name}`)
export const dropDatabase = (name: string) => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
