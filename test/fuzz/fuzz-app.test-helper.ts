import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { createServices, type Services } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { createApp } from '../../src/http/create-app.js'
import { openPostgresSchema } from '../../src/storage/contract/test-databases.js'
import { seedModel } from '../../src/testing/registry-fixtures.js'
import { fuzzRoutesOf, type FuzzRoute } from './fuzz-request.test-helper.js'
import type { KnownIds } from './schema-values.test-helper.js'

export interface FuzzApp {
  app: FastifyInstance
  services: Services
  /** Every method+url registered, collected as Fastify registered them. */
  routes: FuzzRoute[]
  known: KnownIds
  close(): Promise<void>
}

/** A stand-in for the built UI, so its routes answer as in production (no "not built" 503). */
function writeTinyUi(folder: string): string {
  const ui = join(folder, 'ui')
  mkdirSync(join(ui, 'assets'), { recursive: true })
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Plinth</title>')
  writeFileSync(join(ui, 'assets', 'app.js'), 'export {}')
  return ui
}

/** The whole app on `backend`, with one seeded model (so ids in requests sometimes exist). */
export async function createFuzzApp(backend: 'sqlite' | 'postgres'): Promise<FuzzApp> {
  const folder = mkdtempSync(join(tmpdir(), 'plinth-fuzz-'))
  const schema = backend === 'postgres' ? await openPostgresSchema(process.env.PLINTH_TEST_POSTGRES_URL!) : undefined
  const config = resolveConfig({ backendStoreUri: schema?.uri ?? 'sqlite:///:memory:', artifactsDestination: join(folder, 'artifacts') }, {})
  const services = await createServices(config)
  const registered: RouteOptions[] = []
  const app = await createApp(services, { uiDir: writeTinyUi(folder), onRoute: (route) => registered.push(route) })
  await app.ready()
  const { runId } = await seedModel(services, 'fuzz-model', 1)
  return {
    app,
    services,
    routes: registered.flatMap(fuzzRoutesOf),
    known: { experimentId: '0', runId, modelName: 'fuzz-model', version: '1' },
    async close() {
      await app.close()
      await services.close()
      rmSync(folder, { recursive: true, force: true })
      if (schema) await schema.cleanup().catch(() => undefined)
    },
  }
}
