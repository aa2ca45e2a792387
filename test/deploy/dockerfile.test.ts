import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { dockerfileProblems, parseDockerfile } from './dockerfile-lint.js'

const ROOT = new URL('../../', import.meta.url)
const DOCKERFILE = readFileSync(new URL('deploy/docker/Dockerfile', ROOT), 'utf8')

const GOOD = `FROM node:22.21.0-bookworm-slim AS deps
RUN npm ci --omit=dev
FROM node:22.21.0-bookworm-slim
COPY --from=deps /app/node_modules ./node_modules
USER node
HEALTHCHECK CMD ["node", "-e", "0"]
`

describe('deploy/docker/Dockerfile', () => {
  it('should pass the image lint: pinned base, non-root, health check, production deps, no secrets', () => {
    assert.deepEqual(dockerfileProblems(DOCKERFILE), [])
  })

  it('should build the TypeScript and the web UI and copy dist into the runtime stage', () => {
    const stages = parseDockerfile(DOCKERFILE)
    const build = stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build')))
    assert.ok(build?.name, 'a named stage runs npm run build (tsc and the UI into dist/ui)')
    const runtime = stages.at(-1)!
    assert.ok(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args.includes(`--from=${build.name}`) && i.args.includes('dist')))
    assert.match(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args, /dist\/cli\/main\.js/)
    assert.match(runtime.instructions.find((i) => i.keyword === 'ENV')!.args, /PLINTH_HOST=0\.0\.0\.0/)
    assert.match(runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args, /\/v2\/health\/live/)
  })

  it('should have a .dockerignore that keeps node_modules, git history and env files out of the context', () => {
    const ignore = readFileSync(new URL('.dockerignore', ROOT), 'utf8').split('\n').map((l) => l.trim())
    for (const entry of ['node_modules', '.git', 'dist', '.env', 'plinth-data']) assert.ok(ignore.includes(entry), entry)
    for (const needed of ['package.json', 'package-lock.json', 'src', 'ui']) assert.ok(existsSync(new URL(needed, ROOT)) && !ignore.includes(needed), needed)
  })
})

describe('Dockerfile lint', () => {
  it('should accept a minimal image that follows every rule', () => {
    assert.deepEqual(dockerfileProblems(GOOD), [])
  })

  it('should reject an unpinned base, a root user, a missing health check, dev deps and secrets', () => {
    const bad = `FROM node:22-slim AS deps
RUN npm ci
FROM node:latest
ARG NPM_TOKEN
ENV PLINTH_PORT=5000 AWS_SECRET_ACCESS_KEY=abc
COPY --from=deps /app/node_modules ./node_modules
USER root
`
    const problems = dockerfileProblems(bad).join('\n')
    for (const expected of [/FROM node:22-slim: pin/, /FROM node:latest: pin/, /non-root USER/, /HEALTHCHECK/, /ARG NPM_TOKEN/, /ENV AWS_SECRET_ACCESS_KEY/, /stage deps, which must install with npm ci --omit=dev/]) {
      assert.match(problems, expected)
    }
    assert.doesNotMatch(problems, /PLINTH_PORT/)
  })

  it('should accept a base pinned by digest and join continuation lines', () => {
    const digest = `FROM node@sha256:${'a'.repeat(64)}
RUN npm ci \\
    --omit=dev
USER 1000
HEALTHCHECK --interval=30s \\
  CMD ["true"]
`
    assert.deepEqual(dockerfileProblems(digest), [])
    assert.equal(parseDockerfile(digest)[0]!.instructions[0]!.args, 'npm ci --omit=dev')
  })
})
