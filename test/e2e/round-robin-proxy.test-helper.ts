import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the proxy could not complete, and the backend it had reached. */
export interface ProxyFailure {
  backend: number
  /** `performance.now()` when the proxy forwarded the request to that backend. */
  startedAt: number
  reason: string
}

export interface RoundRobinProxy {
  readonly url: string
  /** Requests forwarded to each backend that it answered (any status). */
  answered(backend: number): number
  /** Requests forwarded to each backend and not finished yet. */
  inFlight(backend: number): number
  readonly failures: readonly ProxyFailure[]
  close(): Promise<void>
}

interface Counters {
  answered: number[]
  inFlight: number[]
  failures: ProxyFailure[]
}

/**
 * A small HTTP load balancer for tests: each request goes to the next backend in turn. A backend
 * that refuses the connection never saw the request, so it is retried on the next one (as real
 * balancers do); a connection that breaks once the request was sent is answered with 502, since
 * the backend may have acted on it. A fresh connection per request keeps a dead backend's pooled
 * sockets from failing requests that never reached it.
 */
export async function startRoundRobinProxy(backends: readonly string[]): Promise<RoundRobinProxy> {
  const counters: Counters = { answered: backends.map(() => 0), inFlight: backends.map(() => 0), failures: [] }
  let next = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const first = next
      next = (next + 1) % backends.length
      forward({ backends, counters, req, res, body: Buffer.concat(chunks) }, first, 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    answered: (backend) => counters.answered[backend]!,
    inFlight: (backend) => counters.inFlight[backend]!,
    failures: counters.failures,
    close: () => closeServer(server),
  }
}

interface Exchange {
  backends: readonly string[]
  counters: Counters
  req: IncomingMessage
  res: ServerResponse
  body: Buffer
}

function forward(exchange: Exchange, backend: number, attempts: number): void {
  const { backends, counters, req, res, body } = exchange
  const target = new URL(req.url ?? '/', backends[backend])
  const startedAt = performance.now()
  let connected = false
  counters.inFlight[backend]!++
  let settled = false
  const done = () => {
    if (!settled) counters.inFlight[backend]!--
    const first = !settled
    settled = true
    return first
  }
  const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host, connection: 'close' }, agent: false })
  upstream.once('socket', (socket) => socket.once('connect', () => (connected = true)))
  upstream.once('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
    answer.once('end', () => {
      if (done()) counters.answered[backend]!++
    })
    // The backend died mid-answer: the client sees the connection break, as it would without us.
    answer.once('error', (error: NodeJS.ErrnoException) => {
      if (done()) counters.failures.push({ backend, startedAt, reason: `mid-answer ${error.code ?? error.message}` })
      res.destroy()
    })
  })
  upstream.once('error', (error: NodeJS.ErrnoException) => {
    if (!done()) return
    if (!connected && error.code === 'ECONNREFUSED' && attempts + 1 < backends.length) {
      forward(exchange, (backend + 1) % backends.length, attempts + 1)
      return
    }
    counters.failures.push({ backend, startedAt, reason: error.code ?? error.message })
    if (res.headersSent) res.destroy()
    else res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'BAD_GATEWAY', message: `backend ${backend}: ${error.message}` }))
  })
  upstream.end(body)
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}
