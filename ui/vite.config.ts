import preact from '@preact/preset-vite'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/** The web UI: built into dist/ui/, which `plinth server` serves at `/`. */
export default defineConfig({
  root,
  base: '/',
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // One small entry and one chart chunk: the first page must be interactive in well under a second.
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development, against a `plinth server` on 5000.
    proxy: Object.fromEntries(['/api', '/ajax-api', '/metrics', '/get-artifact'].map((p) => [p, 'http://127.0.0.1:5000'])),
  },
})
