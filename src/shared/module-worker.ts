import { Worker } from 'node:worker_threads'

/**
 * Starts a worker thread on a module beside `from` (an `import.meta.url`), named without its
 * extension. Built `.js` files run as they are. From TypeScript sources (tests, `tsx`) a worker
 * does not inherit the parent's loader hooks on Node 20, so it registers tsx itself first.
 */
export function spawnModuleWorker(from: string, module: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${module}.js`, from), { workerData })
  const entry = new URL(`./${module}.ts`, from).href
  const tsx = import.meta.resolve('tsx/esm/api')
  const code = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)})`
  return new Worker(code, { eval: true, workerData })
}
