import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createServices, type Services } from '../app/services.js'
import { resolveConfig, type PlinthConfig } from '../config/index.js'
import { createApp } from '../http/create-app.js'

export interface TestApp {
  app: FastifyInstance
  services: Services
  close(): Promise<void>
}

/**
 * A whole app on a fresh in-memory SQLite database and a temp artifact folder; nothing is
 * shared between calls and the environment is ignored, so tests are isolated.
 */
export async function createTestApp(overrides: Partial<Record<keyof PlinthConfig, string | number | boolean>> = {}): Promise<TestApp> {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-test-'))
  const config = resolveConfig(
    { backendStoreUri: 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts'), ...overrides },
    {},
  )
  const services = await createServices(config)
  const app = await createApp(services)
  await app.ready()
  return {
    app,
    services,
    async close() {
      await app.close()
      await services.close()
      rmSync(folder, { recursive: true, force: true })
    },
  }
}

/** Sends a JSON request through Fastify's inject and returns status and parsed body. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const response = await app.inject({
    method,
    url,
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  })
  let parsed: unknown = response.body
  try {
    parsed = JSON.parse(response.body)
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.statusCode, body: parsed, headers: response.headers }
}
