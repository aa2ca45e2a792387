import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAndWait, type Running } from './peers.js'

/** A built `plinth server` (dist/, as users run it) on its own temporary SQLite and artifacts. */
export async function startPlinth(repoDir: string, port: number, extraArgs: string[] = []): Promise<Running> {
  const data = mkdtempSync(join(tmpdir(), 'plinth-bench-serving-'))
  return startAndWait(
    process.execPath,
    [
      join(repoDir, 'dist/cli/main.js'), 'server',
      '--port', String(port),
      '--backend-store-uri', `sqlite:///${join(data, 'plinth.db')}`,
      '--artifacts-destination', join(data, 'artifacts'),
      '--log-level', 'warn',
      ...extraArgs,
    ],
    { cwd: data, port },
  )
}

export function buildPlinth(repoDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build'], { cwd: repoDir, stdio: 'inherit' })
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited with ${code}`))))
  })
}

export async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`)
  return text ? JSON.parse(text) : undefined
}

/** Registers the reference model twice (versions 1 and 2) and points `champion` at version 1. */
export async function registerReferenceModel(base: string, modelPath: string, name = 'lr'): Promise<void> {
  await call(base, 'POST', '/api/2.0/mlflow/registered-models/create', { name })
  for (let i = 0; i < 2; i++) await call(base, 'POST', '/api/2.0/mlflow/model-versions/create', { name, source: modelPath })
  await setChampion(base, name, '1')
}

export function setChampion(base: string, name: string, version: string): Promise<unknown> {
  return call(base, 'POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'champion', version })
}
