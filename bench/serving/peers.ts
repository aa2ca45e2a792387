import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join, resolve } from 'node:path'

/**
 * The peers Plinth's serving speed is stated against (a FastAPI + scikit-learn server and a bare
 * node:http + onnxruntime-node server), from the project's shared peers folder. They run under
 * Debian's Python (/usr/bin/python3), which sees the python3-* packages.
 */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

export interface Running {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

export function checkPeersDir(dir: string): string {
  const absolute = resolve(dir)
  for (const file of ['make_lr_model.py', 'fastapi_server.py', 'node_bare.js', 'infer.lua']) {
    if (!existsSync(join(absolute, file))) throw new Error(`${file} is missing from ${absolute}; pass --peers DIR`)
  }
  return absolute
}

export function makeReferenceModel(peersDir: string, out: string): void {
  const result = spawnSync(PYTHON, [join(peersDir, 'make_lr_model.py'), out], { encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`make_lr_model.py failed (apt-get install python3-sklearn python3-onnx):\n${result.stderr}`)
  }
}

export function startFastApiPeer(peersDir: string, port: number): Promise<Running> {
  return startAndWait(PYTHON, ['-m', 'uvicorn', 'fastapi_server:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning'], { cwd: peersDir, port })
}

/** The bare peer resolves onnxruntime-node from its cwd: Plinth's own install. */
export function startBareNodePeer(peersDir: string, modelPath: string, port: number, repoDir: string): Promise<Running> {
  return startAndWait(process.execPath, [join(peersDir, 'node_bare.js'), modelPath, String(port)], { cwd: repoDir, port })
}

export async function startAndWait(command: string, args: string[], options: { cwd: string; port: number; env?: NodeJS.ProcessEnv }): Promise<Running> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'inherit'] })
  let exited: number | null | undefined
  child.once('exit', (code) => (exited = code))
  const deadline = Date.now() + 60_000
  while (!(await portOpen(options.port))) {
    if (exited !== undefined) throw new Error(`${command} ${args.join(' ')} exited with ${exited}`)
    if (Date.now() > deadline) throw new Error(`${command} did not listen on ${options.port} within 60 s`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url: `http://127.0.0.1:${options.port}`,
    process: child,
    stop: () =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop()
        child.once('exit', () => resolveStop())
        child.kill('SIGTERM')
      }),
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolveOpen(true)
    })
    socket.once('error', () => resolveOpen(false))
  })
}
