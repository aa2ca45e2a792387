import type { RouteOptions } from 'fastify'
import { nastyValue, pick, valueFromSchema, type JsonSchema, type KnownIds, type Random } from './schema-values.test-helper.js'

/** One route as registered with Fastify: what the fuzz suite needs to aim at it. */
export interface FuzzRoute {
  method: string
  url: string
  body?: JsonSchema
  querystring?: JsonSchema
}

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

export function fuzzRoutesOf(route: RouteOptions): FuzzRoute[] {
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  const schema = (route.schema ?? {}) as { body?: JsonSchema; querystring?: JsonSchema }
  return methods.map((method) => ({ method, url: route.url, body: schema.body, querystring: schema.querystring }))
}

const PATH_VALUES: readonly ((known: KnownIds) => string)[] = [
  () => '..',
  () => '%2e%2e',
  () => '%00',
  () => 'a%00b',
  () => '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  () => 'x'.repeat(900),
  () => '-1',
  () => '0',
  () => '99999999999999999999999999',
  () => 'NaN',
  () => '%F0%9F%98%80%C3%BC',
  () => '%ZZ',
  () => "'%3B--",
  (known) => known.modelName,
  (known) => known.runId,
  (known) => known.version,
  () => 'does-not-exist',
]

const WILDCARD_VALUES: readonly string[] = [
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  'a/../../b',
  '%00',
  'dir/file.txt',
  'x/'.repeat(200) + 'y',
  'a%00.txt',
  '',
  '.',
  'model/MLmodel',
]

function fillPath(url: string, random: Random, known: KnownIds): string {
  return url
    .replace(/:[A-Za-z_]+/g, () => pick(random, PATH_VALUES)(known))
    .replace(/\*$/, () => pick(random, WILDCARD_VALUES))
}

/** Replaces, drops or adds one field somewhere in an object tree. */
function mutate(value: unknown, random: Random, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 4) return nastyValue(random)
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.3) return [...value, nastyValue(random)]
    const i = Math.floor(random() * value.length)
    return value.map((item, j) => (j === i ? mutate(item, random, depth + 1) : item))
  }
  const out = { ...(value as Record<string, unknown>) }
  const keys = Object.keys(out)
  const roll = random()
  if (keys.length === 0 || roll < 0.15) out[pick(random, ['extra', '__proto__', 'constructor', 'x'.repeat(300)])] = nastyValue(random)
  else if (roll < 0.35) delete out[pick(random, keys)]
  else {
    const key = pick(random, keys)
    out[key] = mutate(out[key], random, depth + 1)
  }
  return out
}

/** A lone surrogate cannot be percent-encoded as UTF-8; send its CESU bytes, as a broken client would. */
function encode(text: string): string {
  return text.replace(/[\ud800-\udfff]/g, '\ufffd') === text ? encodeURIComponent(text) : encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '#')).replace(/%23/g, '%ED%A0%80')
}

function queryString(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `q=${encode(String(value))}`
  const parts: string[] = []
  for (const [key, item] of Object.entries(value)) {
    const items = Array.isArray(item) ? item : [item]
    for (const one of items) {
      const text = typeof one === 'object' && one !== null ? JSON.stringify(one) : String(one)
      parts.push(`${encode(key)}=${encode(text)}`)
    }
  }
  return parts.join('&')
}

const RAW_BODIES: readonly string[] = ['', 'null', '[]', '42', '"text"', '{', '{"a":', '{"a":1}}', '\u0000', 'not json at all', '[' .repeat(5000)]
const CONTENT_TYPES: readonly string[] = ['application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/yaml', 'application/json; charset=latin1', '']

function bodyFor(route: FuzzRoute, random: Random, known: KnownIds): string | Buffer | undefined {
  if (route.method === 'GET' || route.method === 'HEAD') return random() < 0.1 ? '{"unexpected":"body"}' : undefined
  const roll = random()
  if (roll < 0.15) return pick(random, RAW_BODIES)
  if (roll < 0.2) return Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256)))
  const base = route.body ? valueFromSchema(route.body, random, known) : { field: 'value' }
  const mutations = roll < 0.35 ? 0 : 1 + Math.floor(random() * 3)
  let body = base
  for (let i = 0; i < mutations; i++) body = mutate(body, random)
  return JSON.stringify(body)
}

/** A request for `route`, drawn from `random` (so a seed replays it exactly). */
export function fuzzRequest(route: FuzzRoute, random: Random, known: KnownIds): FuzzRequest {
  let url = fillPath(route.url, random, known)
  if (route.querystring || random() < 0.2) {
    let query = valueFromSchema(route.querystring ?? { type: 'object', properties: {} }, random, known)
    if (random() < 0.7) query = mutate(query, random)
    const text = queryString(query)
    if (text) url += `?${text}`
  }
  const payload = bodyFor(route, random, known)
  const contentType = payload === undefined ? '' : pick(random, CONTENT_TYPES)
  return { method: route.method, url, headers: contentType ? { 'content-type': contentType } : {}, payload }
}
