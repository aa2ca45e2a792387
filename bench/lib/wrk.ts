import { spawn } from 'node:child_process'

export interface WrkResult {
  requestsPerSecond: number
  /** Latency percentiles in ms, from wrk's --latency distribution. */
  p50: number
  p90: number
  p99: number
  requests: number
  /** Responses outside 2xx/3xx plus socket errors and timeouts: every request that failed. */
  failed: number
}

export interface WrkOptions {
  url: string
  script: string
  connections: number
  seconds: number
  threads?: number
  /** Extra headers, e.g. a sticky-routing key. */
  headers?: Record<string, string>
}

/** Runs one `wrk` load and parses its summary. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    '--timeout', '10s',
    '-s', options.script,
    ...Object.entries(options.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    options.url,
  ]
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout.on('data', (c: Buffer) => (text += c.toString()))
    child.stderr.on('data', (c: Buffer) => (text += c.toString()))
    child.once('error', (error) => reject(new Error(`wrk could not start (apt-get install wrk): ${error.message}`)))
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))))
  })
  return parseWrk(output)
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text)
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN
}

export function parseWrk(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text)
  const requests = /(\d+) requests in/.exec(text)
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  if (!rps || !requests) throw new Error(`could not read wrk's output:\n${text}`)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  return {
    requestsPerSecond: Number(rps[1]),
    p50: latencyMs(text, '50'),
    p90: latencyMs(text, '90'),
    p99: latencyMs(text, '99'),
    requests: Number(requests[1]),
    failed: Number(non2xx?.[1] ?? 0) + socketErrors,
  }
}
