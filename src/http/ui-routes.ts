import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * The built web UI (`npm run build` writes it to dist/ui/). From src/http (tsx) and from
 * dist/http (the build) alike, the package root is two folders up.
 */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url))

/**
 * First path segments of the UI's client routes (ui/src/routes.tsx, UI_SECTIONS). Only these
 * answer index.html: an unknown path under /api or /v2 keeps its JSON 404.
 */
export const UI_SECTIONS = ['experiments', 'runs', 'compare', 'models', 'deployments', 'monitoring', 'pipelines', 'pipeline-runs'] as const

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}

// Pages run no inline script; styles set from script (uPlot, Preact) are CSSOM, not inline markup.
// The headers every response has (nosniff, framing, referrer) come from security/security-headers.ts.
export const UI_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
const SECURITY_HEADERS = { 'content-security-policy': UI_CSP }

const PUBLIC = { config: { access: 'public' as const } }

async function sendIndex(dir: string, reply: FastifyReply): Promise<FastifyReply> {
  let html: string
  try {
    html = await readFile(join(dir, 'index.html'), 'utf8')
  } catch {
    return reply
      .status(503)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send('<!doctype html><title>Plinth</title><h1>The web UI is not built</h1><p>Run <code>npm run build</code> in the Plinth package, then reload. The API under /api and /v2 works without it.</p>')
  }
  // Revalidated on every load, so a new build's hashed asset names are picked up at once.
  return reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type('text/html; charset=utf-8').send(html)
}

async function sendAsset(assets: string, name: string, reply: FastifyReply): Promise<FastifyReply> {
  const file = resolve(assets, name)
  const info = file.startsWith(assets + sep) ? await stat(file).catch(() => undefined) : undefined
  if (!info?.isFile()) {
    reply.callNotFound()
    return reply
  }
  // Vite puts a content hash in every asset name: a name never changes content.
  return reply
    .headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=31536000, immutable', 'content-length': String(info.size) })
    .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
    .send(createReadStream(file))
}

/** Serves the UI at `/`: hashed assets cached for good, index.html for every client route. */
export function registerUiRoutes(app: FastifyInstance, dir: string = DEFAULT_UI_DIR): void {
  const root = resolve(dir)
  const assets = join(root, 'assets')
  app.get('/', PUBLIC, (_request, reply) => sendIndex(root, reply))
  app.get('/assets/*', PUBLIC, (request, reply) => sendAsset(assets, (request.params as { '*': string })['*'], reply))
  for (const section of UI_SECTIONS) {
    app.get(`/${section}`, PUBLIC, (_request, reply) => sendIndex(root, reply))
    app.get(`/${section}/*`, PUBLIC, (_request, reply) => sendIndex(root, reply))
  }
}
