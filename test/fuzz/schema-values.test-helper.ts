/**
 * Values for the API fuzz suite: a valid-ish value drawn from a route's JSON schema, and the
 * nasty values a careless or hostile client sends instead.
 */
export type Random = () => number
export type JsonSchema = Record<string, any>

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

function deepNesting(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value]
  return value
}

/** Values that break naive parsers: wrong types, extremes, number-like strings, odd text. */
export const NASTY_VALUES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => -1,
  () => 0,
  () => 1e308,
  () => -1e308,
  () => 2 ** 63,
  () => Number.MAX_SAFE_INTEGER + 2,
  () => 0.5,
  () => 'NaN',
  () => 'Infinity',
  () => '-Infinity',
  () => '-1',
  () => '1e400',
  () => '99999999999999999999999999999999',
  () => '',
  () => ' ',
  () => '\u0000',
  () => 'a\u0000b',
  () => '../../../etc/passwd',
  () => '%00%2e%2e%2f',
  () => '😀🚀 ünïcödé 中文 \u202e',
  () => '\ud800',
  // Just past common column sizes (varchar 250/256/500, 5000): PostgreSQL enforces them, SQLite does not.
  () => 'y'.repeat(257),
  () => 'v'.repeat(501),
  () => 'w'.repeat(5001),
  () => 'x'.repeat(70_000),
  () => "'; DROP TABLE runs; --",
  () => '{"json":"in a string"}',
  () => [],
  () => [null, 1, 'a'],
  () => ({}),
  () => ({ nested: { deeper: [1, { x: 'y' }] } }),
  () => deepNesting(400),
  () => '2026-13-45T99:99:99Z',
]

export function nastyValue(random: Random): unknown {
  return pick(random, NASTY_VALUES)()
}

/** Ids of seeded entities, so some requests reach past the "not found" check. */
export interface KnownIds {
  experimentId: string
  runId: string
  modelName: string
  version: string
}

function knownValueFor(key: string, known: KnownIds): unknown {
  if (/run_(id|uuid)|runId/.test(key)) return known.runId
  if (/experiment_id|experimentId/.test(key)) return known.experimentId
  if (/^version$|modelVersion/.test(key)) return known.version
  if (/name|model/i.test(key)) return known.modelName
  return undefined
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type[0]
  return schema.type
}

/** A value the schema (roughly) accepts; `key` lets ids point at seeded entities. */
export function valueFromSchema(schema: JsonSchema | undefined, random: Random, known: KnownIds, key = '', depth = 0): unknown {
  if (!schema || depth > 6) return 'x'
  if (schema.const !== undefined) return schema.const
  if (Array.isArray(schema.enum)) return pick(random, schema.enum)
  const union = schema.anyOf ?? schema.oneOf
  if (Array.isArray(union) && union.length > 0) return valueFromSchema(pick(random, union), random, known, key, depth + 1)
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return valueFromSchema(schema.allOf[0], random, known, key, depth + 1)
  switch (typeOf(schema)) {
    case 'object':
      return objectFromSchema(schema, random, known, depth)
    case 'array': {
      const length = Math.floor(random() * 3) + (schema.minItems ?? 0)
      return Array.from({ length }, () => valueFromSchema(schema.items, random, known, key, depth + 1))
    }
    case 'integer':
      return Math.max(schema.minimum ?? 0, Math.min(schema.maximum ?? 1000, Math.floor(random() * 100)))
    case 'number':
      return Math.max(schema.minimum ?? 0, Math.min(schema.maximum ?? 1000, random() * 100))
    case 'boolean':
      return random() < 0.5
    case 'null':
      return null
    case 'string':
      return stringFromSchema(schema, random, known, key)
    default:
      return knownValueFor(key, known) ?? 'x'
  }
}

function stringFromSchema(schema: JsonSchema, random: Random, known: KnownIds, key: string): string {
  const id = random() < 0.7 ? knownValueFor(key, known) : undefined
  if (typeof id === 'string') return id
  if (schema.format === 'date-time') return new Date(1_700_000_000_000 + Math.floor(random() * 1e9)).toISOString()
  const length = Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 12, 1 + Math.floor(random() * 12)))
  return Array.from({ length }, () => pick(random, [...'abcxyz019_-'])).join('')
}

function objectFromSchema(schema: JsonSchema, random: Random, known: KnownIds, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const required = new Set<string>(schema.required ?? [])
  for (const [name, property] of Object.entries<JsonSchema>(schema.properties ?? {})) {
    if (required.has(name) || random() < 0.6) out[name] = valueFromSchema(property, random, known, name, depth + 1)
  }
  return out
}
