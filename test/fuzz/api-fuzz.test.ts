import assert from 'node:assert/strict'
import { writeSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { seededRandom } from '../../src/testing/seeded-random.js'
import { createFuzzApp, type FuzzApp } from './fuzz-app.test-helper.js'
import { fuzzRequest, type FuzzRequest } from './fuzz-request.test-helper.js'

/**
 * Every route Fastify knows gets generated requests (schema-derived bodies, then mutated; odd
 * paths, queries and content types). Whatever arrives, the answer is below 500 and the server
 * keeps serving. PLINTH_FUZZ_CASES raises the count per route; PLINTH_FUZZ_SEED replays a run;
 * PLINTH_FUZZ_ROUTE (a substring of "METHOD url") narrows it to some routes; PLINTH_FUZZ_TRACE=1
 * writes each request to stderr before it is sent, to name one that kills the process.
 */
const CASES = Number(process.env.PLINTH_FUZZ_CASES ?? 16)
const BASE_SEED = Number(process.env.PLINTH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const ROUTE_FILTER = process.env.PLINTH_FUZZ_ROUTE
const REQUEST_TIMEOUT_MS = 30_000

function seedFor(routeKey: string, caseIndex: number): number {
  let hash = BASE_SEED >>> 0
  for (const char of `${routeKey}#${caseIndex}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0
  return hash
}

/** Long runs of one character (the generator's long strings) shown as `x{70000}`. */
function shorten(text: string): string {
  const squeezed = text.replace(/(.)\1{20,}/gsu, (run, char: string) => `${char}{${[...run].length}}`)
  return squeezed.length > 600 ? `${squeezed.slice(0, 600)}… (${text.length} chars)` : squeezed
}

function describeRequest(request: FuzzRequest): string {
  const payload = request.payload === undefined ? '' : String(request.payload)
  return `${request.method} ${shorten(request.url)} [${request.headers['content-type'] ?? 'no content-type'}] ${shorten(payload)}`
}

async function send(fuzz: FuzzApp, request: FuzzRequest): Promise<{ status: number; body: string }> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS)
  })
  try {
    const response = await Promise.race([fuzz.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload }), timeout])
    return { status: response.statusCode, body: response.body.slice(0, 300) }
  } finally {
    clearTimeout(timer)
  }
}

const BACKENDS = [
  { name: 'sqlite' as const, skip: undefined },
  { name: 'postgres' as const, skip: process.env.PLINTH_TEST_POSTGRES_URL ? undefined : 'PLINTH_TEST_POSTGRES_URL is not set' },
]

for (const backend of BACKENDS) {
  describe(`HTTP API fuzzing on ${backend.name}`, { skip: backend.skip }, () => {
    let fuzz: FuzzApp
    const crashes: unknown[] = []
    const onCrash = (error: unknown) => crashes.push(error)

    before(async () => {
      process.on('unhandledRejection', onCrash)
      process.on('uncaughtException', onCrash)
      fuzz = await createFuzzApp(backend.name)
    })
    after(async () => {
      process.off('unhandledRejection', onCrash)
      process.off('uncaughtException', onCrash)
      await fuzz?.close()
    })

    it('should answer every generated request on every route with a status below 500', async (t) => {
      const routes = fuzz.routes.filter((route) => !ROUTE_FILTER || `${route.method} ${route.url}`.includes(ROUTE_FILTER))
      assert.ok(routes.length > 0, `no route matches PLINTH_FUZZ_ROUTE=${ROUTE_FILTER}`)
      const failures: string[] = []
      const statuses = new Map<string, number>()
      for (const route of routes) {
        const key = `${route.method} ${route.url}`
        for (let i = 0; i < CASES; i++) {
          const seed = seedFor(key, i)
          const request = fuzzRequest(route, seededRandom(seed), fuzz.known)
          // A request that kills the process leaves no failure list behind; the trace names it.
          if (process.env.PLINTH_FUZZ_TRACE) writeSync(2, `fuzz: ${key} case ${i} seed ${seed}: ${describeRequest(request)}\n`)
          const response = await send(fuzz, request).catch((error: Error) => ({ status: 599, body: error.message }))
          const tally = `${route.method} ${route.url} ${response.status}`
          statuses.set(tally, (statuses.get(tally) ?? 0) + 1)
          if (response.status >= 500) failures.push(`${response.status} on route ${key} (case ${i}, seed ${seed}): ${describeRequest(request)} -> ${response.body}`)
        }
      }
      if (process.env.PLINTH_FUZZ_STATS) t.diagnostic([...statuses].map(([k, n]) => `${k} x${n}`).join('\n'))
      const replay = `replay with PLINTH_FUZZ_SEED=${BASE_SEED} PLINTH_FUZZ_CASES=${CASES}`
      assert.deepEqual(failures, [], `${failures.length} requests got a 5xx; ${replay}\n${failures.join('\n')}`)
      assert.deepEqual(crashes, [], `unhandled errors while fuzzing; ${replay}`)
    })

    it('should still serve health checks and ordinary requests after the fuzzing', async () => {
      const health = await fuzz.app.inject({ method: 'GET', url: '/health' })
      assert.equal(health.statusCode, 200)
      assert.equal(health.body, 'OK')
      const created = await fuzz.app.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/create', payload: { name: `after-fuzz-${BASE_SEED}` } })
      assert.equal(created.statusCode, 200, created.body)
    })
  })
}
