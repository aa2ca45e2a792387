import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { createServices, type Services } from '../../src/app/services.js'
import { resolveConfig } from '../../src/config/index.js'
import { createApp } from '../../src/http/create-app.js'

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium'
export const SKIP_BROWSER = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium) to run the browser tests`
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SCREENSHOTS = join(ROOT, 'test-output', 'ui')

/** Builds the UI from its sources into `outDir`, so the tests check the code as it is now. */
export async function buildUi(outDir: string): Promise<void> {
  const { build } = await import('vite')
  await build({ configFile: join(ROOT, 'ui', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } })
}

export interface UiServer {
  url: string
  app: FastifyInstance
  services: Services
  close(): Promise<void>
}

/** A whole Plinth server on loopback over a fresh SQLite file, serving the UI built into `uiDir`. */
export async function startUiServer(uiDir: string, options: { auth?: boolean } = {}): Promise<UiServer> {
  const folder = await mkdtemp(join(tmpdir(), 'plinth-ui-'))
  const config = resolveConfig({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(folder, 'plinth.db')}`, artifactsDestination: join(folder, 'artifacts'), auth: options.auth ?? false }, {})
  const services = await createServices(config)
  const app = await createApp(services, { uiDir })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    services,
    async close() {
      await app.close()
      await services.close()
      await rm(folder, { recursive: true, force: true })
    },
  }
}

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Chromium with a fresh profile folder, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'plinth-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1360, height: 900 } })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/** Console errors and uncaught exceptions of a page, collected as they happen. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  return errors
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
