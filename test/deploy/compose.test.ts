import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { composeValidator } from './manifest-schemas.js'

const COMPOSE_DIR = new URL('../../deploy/compose/', import.meta.url)
// The file uses YAML merge keys (<<:) to share the Plinth environment between its services.
const compose = parse(readFileSync(new URL('docker-compose.yml', COMPOSE_DIR), 'utf8'), { merge: true }) as any
const validate = composeValidator()
const hasPromtool = spawnSync('promtool', ['--version']).error === undefined

function volumeSources(service: any): string[] {
  return (service.volumes ?? []).map((v: string) => v.split(':')[0]!).filter((s: string) => s.startsWith('.'))
}

describe('deploy/compose/docker-compose.yml', () => {
  it('should validate against the Compose Specification schema', () => {
    assert.equal(validate(compose), true, JSON.stringify(validate.errors, null, 2))
  })

  it('should bring up Plinth, PostgreSQL, an S3 store, Redis, Prometheus and Grafana', () => {
    for (const name of ['plinth-server', 'plinth-worker', 'postgres', 'minio', 'redis', 'prometheus', 'grafana']) assert.ok(compose.services[name], name)
    assert.deepEqual(compose.services['plinth-server'].command, ['server', '--executor', 'queue'])
    assert.equal(compose.services['plinth-worker'].command[0], 'worker')
  })

  it('should give the Plinth services PostgreSQL, S3, Redis and PLINTH_HOST=0.0.0.0 from the one image', () => {
    for (const name of ['plinth-server', 'plinth-worker', 'plinth-serve']) {
      const service = compose.services[name]
      assert.equal(service.build.dockerfile, 'deploy/docker/Dockerfile')
      const env = service.environment
      assert.equal(env.PLINTH_HOST, '0.0.0.0')
      assert.match(env.PLINTH_BACKEND_STORE_URI, /^postgresql:\/\/.*@postgres:5432\//)
      assert.match(env.PLINTH_ARTIFACTS_DESTINATION, /^s3:\/\//)
      assert.equal(env.PLINTH_S3_ENDPOINT_URL, 'http://minio:9000')
      assert.equal(env.PLINTH_REDIS_URL, 'redis://redis:6379')
      assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.PLINTH_QUEUE_SECRET_KEY)
    }
  })

  it('should pin every image to an exact version and depend only on services it defines', () => {
    for (const [name, service] of Object.entries<any>(compose.services)) {
      if (service.build === undefined) assert.match(service.image, /:(v?\d+\.\d+(\.\d+)?|RELEASE\.[\dT:Z-]+)(-[a-z]+)?$/, name)
      const dependsOn = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {})
      for (const dependency of dependsOn) assert.ok(compose.services[dependency], `${name} -> ${dependency}`)
    }
  })

  it("should mount the repository's Prometheus rules and Grafana dashboards, not copies", () => {
    const mounts = [...volumeSources(compose.services.prometheus), ...volumeSources(compose.services.grafana)]
    for (const expected of ['../prometheus/plinth-rules.yml', '../grafana/provisioning', '../grafana/dashboards']) assert.ok(mounts.includes(expected), expected)
    for (const source of mounts) assert.ok(existsSync(new URL(source, COMPOSE_DIR)), source)
    assert.equal(compose.services.grafana.environment.PROMETHEUS_URL, 'http://prometheus:9090')
  })

  it("should scrape Plinth's /metrics on the compose service names and load the rules", () => {
    const prometheus = parse(readFileSync(new URL('prometheus.yml', COMPOSE_DIR), 'utf8')) as any
    assert.deepEqual(prometheus.rule_files, ['plinth-rules.yml'])
    const targets = prometheus.scrape_configs.flatMap((job: any) => job.static_configs.flatMap((c: any) => c.targets))
    assert.ok(targets.includes('plinth-server:5000'))
    for (const target of targets) assert.ok(compose.services[target.split(':')[0]], target)
    for (const job of prometheus.scrape_configs) assert.equal(job.metrics_path, '/metrics')
  })

  it('should pass promtool check config with the rules beside it', { skip: hasPromtool ? false : 'promtool is not installed (Debian package prometheus)' }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-compose-prom-'))
    try {
      copyFileSync(fileURLToPath(new URL('prometheus.yml', COMPOSE_DIR)), join(dir, 'prometheus.yml'))
      copyFileSync(fileURLToPath(new URL('../prometheus/plinth-rules.yml', COMPOSE_DIR)), join(dir, 'plinth-rules.yml'))
      const result = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' })
      assert.equal(result.status, 0, result.stdout + result.stderr)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('should reject a compose file with an unknown service key', () => {
    const broken = structuredClone(compose)
    broken.services.redis.comand = ['redis-server']
    assert.equal(validate(broken), false)
    assert.match(JSON.stringify(validate.errors), /comand/)
  })
})
