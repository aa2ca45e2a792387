import { Scanner, type NamePart } from './search-filter-lexer.js'
import type { Comparator, FilterClause, FilterEntity, OrderClause } from './search-filter-types.js'

/** What a key accepts: numeric keys take bare numbers, the others quoted strings (lists for IN). */
interface ValueSpec {
  numeric: boolean
  comparators: readonly Comparator[]
}

/** A key of an entity with a fixed key set (attributes, datasets), with its canonical name. */
interface KeySpec extends ValueSpec {
  key: string
}

/**
 * One search grammar. Every parser here runs the same clause reader over one of these tables,
 * so the grammars differ only in data.
 */
interface SearchGrammar {
  /** Identifier prefix (`metrics`, `attr`, ...) to entity; an unprefixed key is an attribute. */
  prefixes: Readonly<Record<string, FilterEntity>>
  /** Entities whose keys are whatever the user logged (metrics, params, tags). */
  open: Partial<Record<FilterEntity, ValueSpec>>
  /** Entities with a fixed key set, by every accepted spelling of the key. */
  closed: Partial<Record<FilterEntity, Readonly<Record<string, KeySpec>>>>
}

const STRING_OPS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE']
const NUMERIC_OPS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>=']
const LIST_OPS: readonly Comparator[] = [...STRING_OPS, 'IN', 'NOT IN']

function text(key: string, comparators = STRING_OPS): KeySpec {
  return { key, numeric: false, comparators }
}

function numeric(key: string): KeySpec {
  return { key, numeric: true, comparators: NUMERIC_OPS }
}

const STRING_VALUE: ValueSpec = { numeric: false, comparators: STRING_OPS }

const ENTITY_PREFIX: Record<FilterEntity, string> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: 'attributes',
  dataset: 'datasets',
}

const REGISTRY_PREFIXES: Record<string, FilterEntity> = {
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  tag: 'tag',
  tags: 'tag',
}

const RUN_PREFIXES: Record<string, FilterEntity> = {
  ...REGISTRY_PREFIXES,
  run: 'attribute',
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  dataset: 'dataset',
  datasets: 'dataset',
}

// The spaced and capitalised spellings are the MLflow UI's column names, which it sends as keys.
const RUN_ATTRIBUTES: Record<string, KeySpec> = {
  run_id: text('run_id', LIST_OPS),
  run_uuid: text('run_id', LIST_OPS),
  run_name: text('run_name'),
  'run name': text('run_name'),
  'Run name': text('run_name'),
  'Run Name': text('run_name'),
  status: text('status'),
  user_id: text('user_id'),
  artifact_uri: text('artifact_uri'),
  lifecycle_stage: text('lifecycle_stage'),
  start_time: numeric('start_time'),
  created: numeric('start_time'),
  Created: numeric('start_time'),
  end_time: numeric('end_time'),
}

const RUN_FILTER: SearchGrammar = {
  prefixes: RUN_PREFIXES,
  open: {
    metric: { numeric: true, comparators: NUMERIC_OPS },
    param: STRING_VALUE,
    tag: STRING_VALUE,
  },
  closed: {
    attribute: RUN_ATTRIBUTES,
    dataset: {
      name: text('name', LIST_OPS),
      digest: text('digest', LIST_OPS),
      context: text('context', LIST_OPS),
    },
  },
}

// Runs order by any attribute but lifecycle_stage, under its plain (unspaced) spellings.
const RUN_ORDER: SearchGrammar = {
  prefixes: RUN_PREFIXES,
  open: RUN_FILTER.open,
  closed: {
    attribute: Object.fromEntries(
      Object.entries(RUN_ATTRIBUTES).filter(
        ([name, spec]) => !name.includes(' ') && spec.key !== 'lifecycle_stage',
      ),
    ),
  },
}

const EXPERIMENT_FILTER: SearchGrammar = {
  prefixes: REGISTRY_PREFIXES,
  open: { tag: STRING_VALUE },
  closed: {
    attribute: {
      name: text('name'),
      creation_time: numeric('creation_time'),
      last_update_time: numeric('last_update_time'),
    },
  },
}
const EXPERIMENT_ORDER_KEYS = ['name', 'experiment_id', 'creation_time', 'last_update_time']

const REGISTERED_MODEL_FILTER: SearchGrammar = {
  prefixes: REGISTRY_PREFIXES,
  open: { tag: STRING_VALUE },
  closed: { attribute: { name: text('name') } },
}

const IN_OPS: readonly Comparator[] = [...STRING_OPS, 'IN']
const MODEL_VERSION_FILTER: SearchGrammar = {
  prefixes: REGISTRY_PREFIXES,
  open: { tag: STRING_VALUE },
  closed: {
    attribute: {
      name: text('name', IN_OPS),
      run_id: text('run_id', IN_OPS),
      source: text('source'),
      source_path: text('source'),
      version_number: numeric('version_number'),
    },
  },
}

interface Target {
  entity: FilterEntity
  key: string
  spec: ValueSpec
  /** Who the comparator list belongs to in messages: `metrics support`, `run_name supports`. */
  subject: string
}

const PARENTHESES =
  'parentheses are not supported; write the clauses joined by AND, without grouping'

/** What may stand before a comparator in this grammar, for messages. */
function keyHint(grammar: SearchGrammar): string {
  const prefixed = (Object.keys(ENTITY_PREFIX) as FilterEntity[]).filter(
    (e) => e !== 'attribute' && (grammar.open[e] || grammar.closed[e]),
  )
  if (prefixed.length > 0) {
    const names = ['an attribute', ...prefixed.map((e) => `${ENTITY_PREFIX[e]}.<key>`)]
    return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`
  }
  const attributes = new Set(Object.values(grammar.closed.attribute ?? {}).map((k) => k.key))
  return `one of ${[...attributes].join(', ')}`
}

function readParts(s: Scanner, grammar: SearchGrammar): NamePart[] {
  const start = s.mark()
  if (s.peek() === '(' || s.peek() === ')') s.fail(PARENTHESES)
  const parts: NamePart[] = []
  do {
    const part = s.name(parts.length === 0)
    if (part) parts.push(part)
    else if (parts.length > 0) s.fail(`expected a key after '${s.since(start)}'`)
    else s.fail(`expected ${keyHint(grammar)}, got '${s.upcoming()}'`)
  } while (s.take('.', false))
  const glued = s.rawNext()
  if (glued !== '' && !/[\s<>=!]/.test(glued)) {
    s.fail(`unexpected '${glued}' after '${s.since(start)}'; quote keys with symbols: tags."a-b"`)
  }
  return parts
}

/** Reads `prefix.key`, `` `prefix`.`key` ``, `prefix."key"` or a bare attribute key. */
function readTarget(s: Scanner, grammar: SearchGrammar): Target {
  const [first, ...rest] = readParts(s, grammar) as [NamePart, ...NamePart[]]
  if (rest.length === 0 && !first.quoted && /^(and|or)$/i.test(first.value)) {
    s.fail(`expected a clause before '${first.value.toUpperCase()}'`)
  }
  // Unquoted dotted keys are common (`tags.mlflow.runName`); a quoted part must be the whole key.
  if (rest.length > 1 && rest.some((p) => p.quoted)) {
    s.fail(`quote the whole key after the prefix, e.g. ${first.value}."a.b"`)
  }
  const entity = rest.length === 0 ? 'attribute' : grammar.prefixes[first.value]
  const open = entity && grammar.open[entity]
  const closed = entity && grammar.closed[entity]
  if (!entity) s.fail(`unknown entity '${first.value}'; use ${keyHint(grammar)}`)
  if (!open && !closed) {
    s.fail(`${ENTITY_PREFIX[entity]} cannot be used here; use ${keyHint(grammar)}`)
  }
  const key = rest.length === 0 ? first.value : rest.map((p) => p.value).join('.')
  if (open) return { entity, key, spec: open, subject: `${ENTITY_PREFIX[entity]} support` }
  const spec = closed?.[key]
  if (!spec) {
    const kind = entity === 'attribute' ? 'attribute' : `${entity} key`
    const valid = [...new Set(Object.values(closed ?? {}).map((k) => k.key))]
    s.fail(`unknown ${kind} '${key}'; valid ${kind}s are ${valid.join(', ')}`)
  }
  return { entity, key: spec.key, spec, subject: `${spec.key} supports` }
}

function readComparator(s: Scanner, target: Target): Comparator {
  const allowed = target.spec.comparators
  const missing = `expected a comparator (${allowed.join(', ')}) after the key, ${s.got()}`
  let op = s.operator() ?? s.word()?.toUpperCase()
  if (op === 'NOT') op = `NOT ${s.word()?.toUpperCase() ?? ''}`.trim()
  if (op === undefined) s.fail(missing)
  if (!allowed.includes(op as Comparator)) {
    // Named by entity and key rather than by clause: the comparator is what the user must change.
    s.reject(
      `Invalid comparator '${op}' for ${target.entity} '${target.key}': ` +
        `${target.subject} ${allowed.join(', ')}`,
    )
  }
  return op as Comparator
}

function readList(s: Scanner, op: Comparator): string[] {
  if (!s.take('(')) {
    s.fail(`${op} needs a parenthesised list of quoted strings, e.g. ${op} ('a', 'b'); ${s.got()}`)
  }
  if (s.take(')')) s.fail(`the ${op} list is empty; give at least one quoted string`)
  const values: string[] = []
  do {
    const quote = s.peek()
    if (quote !== "'" && quote !== '"') {
      s.fail(`expected a quoted string in the ${op} list, ${s.got()}`)
    }
    values.push(s.quoted())
  } while (s.take(','))
  if (!s.take(')')) s.fail(`expected ',' or ')' in the ${op} list, ${s.got()}`)
  return values
}

function readValue(s: Scanner, op: Comparator, target: Target): FilterClause['value'] {
  if (op === 'IN' || op === 'NOT IN') return readList(s, op)
  const what = `${target.entity} '${target.key}'`
  const next = s.peek()
  if (next === "'" || next === '"') {
    const value = s.quoted()
    if (!target.spec.numeric) return value
    s.fail(`expected a number for ${what}; write numbers without quotes, e.g. ${op} 0.5`)
  }
  const number = s.number()
  if (number !== undefined) {
    if (target.spec.numeric) return Number(number)
    s.fail(`expected a quoted string for ${what}; quote the value, e.g. ${op} '${number}'`)
  }
  if (next === '') s.fail(`expected a value after '${op}'`)
  if (next === '(') s.fail(`a list is only allowed after IN or NOT IN; compare with one value`)
  const expected = target.spec.numeric ? 'a number' : 'a quoted string'
  return s.fail(`expected ${expected} after '${op}', got '${s.upcoming()}'`)
}

function parseFilter(filter: string | undefined, grammar: SearchGrammar): FilterClause[] {
  if (filter === undefined || filter.trim() === '') return []
  const s = new Scanner(filter, 'filter')
  const clauses: FilterClause[] = []
  for (;;) {
    s.beginClause()
    const target = readTarget(s, grammar)
    const comparator = readComparator(s, target)
    const value = readValue(s, comparator, target)
    clauses.push({ entity: target.entity, key: target.key, comparator, value })
    s.endClause()
    if (s.atEnd()) return clauses
    const after = s.upcoming()
    const word = s.word()?.toUpperCase()
    if (word === 'OR') {
      s.fail('OR is not supported; join clauses with AND, or run one search per alternative')
    }
    if (word !== 'AND') {
      if (/^[()]/.test(after)) s.fail(PARENTHESES)
      s.fail(`unexpected '${after}' after a clause; join clauses with AND`)
    }
    if (s.atEnd()) s.fail('expected a clause after the last AND; remove the trailing AND')
  }
}

function parseOrder(orderBy: string, grammar: SearchGrammar): OrderClause {
  const s = new Scanner(orderBy, 'order_by')
  if (s.atEnd()) s.fail('expected a key to order by, e.g. metrics.rmse DESC')
  const target = readTarget(s, grammar)
  if (target.entity === 'dataset') return s.fail('ordering by datasets is not supported')
  let ascending = true
  if (!s.atEnd()) {
    const after = s.upcoming()
    const direction = s.word()?.toUpperCase()
    if (direction !== 'ASC' && direction !== 'DESC') {
      s.fail(`expected ASC or DESC after the key, got '${after}'`)
    }
    ascending = direction === 'ASC'
    if (!s.atEnd()) {
      s.fail(`unexpected '${s.upcoming()}' after ${direction}; give one key, then ASC or DESC`)
    }
  }
  return { entity: target.entity, key: target.key, ascending }
}

/**
 * Parses a search_runs filter (`metrics.rmse < 1 and params.lr = '0.1'`) into AND-ed clauses.
 * Keys resolve to canonical attribute names (`created` → `start_time`, `run_uuid` → `run_id`);
 * an empty or blank filter matches everything.
 * @throws AppError INVALID_PARAMETER_VALUE naming the bad clause and how to fix it.
 */
export function parseRunFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, RUN_FILTER)
}

/** Parses one search_runs order_by entry (`metrics.rmse DESC`); ascending unless DESC. */
export function parseRunOrderBy(orderBy: string): OrderClause {
  return parseOrder(orderBy, RUN_ORDER)
}

/** Parses a search_experiments filter: `name`, `creation_time`, `last_update_time`, `tags.*`. */
export function parseExperimentFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, EXPERIMENT_FILTER)
}

/** Parses one search_experiments order_by entry, by name, id, creation or last update time. */
export function parseExperimentOrderBy(orderBy: string): OrderClause {
  return parseModelOrderBy(orderBy, EXPERIMENT_ORDER_KEYS)
}

/** Parses a search_registered_models filter: `name` and `tags.*`. */
export function parseRegisteredModelFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, REGISTERED_MODEL_FILTER)
}

/**
 * Parses a search_model_versions filter: `name`, `run_id` (both also with IN), `source`
 * (alias `source_path`), numeric `version_number`, and `tags.*`.
 */
export function parseModelVersionFilter(filter: string | undefined): FilterClause[] {
  return parseFilter(filter, MODEL_VERSION_FILTER)
}

/**
 * Parses an order_by entry over attributes only, for the experiment and registry searches.
 * @param allowed the attribute keys this search can order by.
 */
export function parseModelOrderBy(orderBy: string, allowed: readonly string[]): OrderClause {
  const attribute = Object.fromEntries(allowed.map((key) => [key, text(key)]))
  return parseOrder(orderBy, { prefixes: REGISTRY_PREFIXES, open: {}, closed: { attribute } })
}
