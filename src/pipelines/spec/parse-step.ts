import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml'
import { BUILTIN_NAMES, type BuiltinName, type RetryPolicy, type SecretRef, type StepAction, type StepSpec } from '../pipeline-spec.js'
import { parseDuration } from './durations.js'
import { checkKeys, describe, type Entry, type IssueList, mapEntries, nearest, scalarValue, stringList, stringMap, stringValue } from './spec-issues.js'

export const STEP_KEYS = ['name', 'description', 'run', 'uses', 'image', 'args', 'with', 'workdir', 'depends', 'inputs', 'outputs', 'env', 'secrets', 'retries', 'timeout', 'code', 'cache', 'side-effects'] as const

/** Built-ins that change the world outside the run: never served from cache. */
export const SIDE_EFFECT_BUILTINS: ReadonlySet<BuiltinName> = new Set(['register', 'deploy-canary', 'promote'])

/** A string in the file that may hold expressions, with where it is and which scopes it may use. */
export interface ExpressionSite {
  readonly node: Node
  readonly text: string
  readonly step: string
  readonly field: 'command' | 'inputs' | 'env' | 'with'
}

export interface ParsedStep {
  readonly spec: StepSpec
  readonly nameNode: Node | null
  readonly dependsNode: Node | null
  readonly sites: ExpressionSite[]
}

const NO_RETRY: RetryPolicy = { limit: 0, backoffMs: 1000, factor: 2, maxBackoffMs: 60_000 }

export function parseStep(node: Node, index: number, issues: IssueList): ParsedStep | undefined {
  const entries = mapEntries(node, `Step #${index + 1}`, issues)
  if (!entries) return undefined
  const get = (key: string): Entry | undefined => entries.find((e) => e.key === key)
  const nameEntry = get('name')
  const name = nameEntry ? stringValue(nameEntry.value, 'A step name', issues) : undefined
  if (!nameEntry) issues.add(node, `Step #${index + 1} has no 'name'; give every step a unique name.`)
  else if (name && !/^[A-Za-z0-9_.-]+$/.test(name)) issues.add(nameEntry.value, `Step name '${name}' may only use letters, digits, '_', '.' and '-'.`)
  const label = `step '${name ?? `#${index + 1}`}'`
  checkKeys(entries, STEP_KEYS, label, issues)
  const sites: ExpressionSite[] = []
  const site = (n: Node | null, field: ExpressionSite['field']) => collectSites(n, name ?? '', field, sites)
  const action = parseAction(node, get, label, issues, site)
  const outputs = parseOutputs(get('outputs')?.value ?? null, label, issues)
  const inputsNode = get('inputs')?.value ?? null
  const envNode = get('env')?.value ?? null
  site(inputsNode, 'inputs')
  site(envNode, 'env')
  const builtin = action?.kind === 'builtin' ? action.uses : undefined
  const sideEffects = flag(get('side-effects'), `${label} side-effects`, issues) ?? (builtin !== undefined && SIDE_EFFECT_BUILTINS.has(builtin))
  const spec: StepSpec = {
    name: name ?? `#${index + 1}`,
    depends: get('depends') ? stringList(get('depends')!.value, `${label} depends`, issues) : [],
    action: action ?? { kind: 'command', shell: 'true' },
    inputs: inputsNode ? stringMap(inputsNode, `${label} inputs`, issues) : {},
    outputs,
    env: envNode ? stringMap(envNode, `${label} env`, issues) : {},
    secrets: parseSecrets(get('secrets')?.value ?? null, label, issues),
    retry: parseRetry(get('retries')?.value ?? null, label, issues),
    ...timeoutOf(get('timeout'), label, issues),
    code: get('code') ? stringList(get('code')!.value, `${label} code`, issues) : [],
    cache: flag(get('cache'), `${label} cache`, issues) ?? true,
    sideEffects,
    location: issues.locate(node),
  }
  return { spec, nameNode: nameEntry?.value ?? node, dependsNode: get('depends')?.value ?? null, sites }
}

type Site = (n: Node | null, field: ExpressionSite['field']) => void

function parseAction(node: Node, get: (k: string) => Entry | undefined, label: string, issues: IssueList, site: Site): StepAction | undefined {
  const kinds = ['run', 'uses', 'image'].filter((k) => get(k))
  if (kinds.length === 0) {
    issues.add(node, `The ${label} does nothing: give it 'run' (a command), 'uses' (a built-in: ${BUILTIN_NAMES.join(', ')}) or 'image' (a container image).`)
    return undefined
  }
  if (get('uses')) {
    if (kinds.length > 1) issues.add(get('uses')!.keyNode, `The ${label} has 'uses' and '${kinds.filter((k) => k !== 'uses').join("' and '")}': a built-in step takes only 'with'.`)
    return parseBuiltin(get, label, issues, site)
  }
  const workingDir = get('workdir') ? stringValue(get('workdir')!.value, `${label} workdir`, issues) : undefined
  if (get('image')) {
    const image = stringValue(get('image')!.value, `${label} image`, issues) ?? ''
    const argv = commandArgv(get('run') ?? get('args'), label, issues, site)
    return { kind: 'image', image, argv }
  }
  const run = get('run')!
  site(run.value, 'command')
  if (isSeq(run.value)) return { kind: 'command', argv: stringList(run.value, `${label} run`, issues), ...(workingDir ? { workingDir } : {}) }
  const shell = stringValue(run.value, `${label} run`, issues) ?? 'true'
  return { kind: 'command', shell, ...(workingDir ? { workingDir } : {}) }
}

function commandArgv(entry: Entry | undefined, label: string, issues: IssueList, site: Site): string[] {
  if (!entry) return []
  site(entry.value, 'command')
  if (isSeq(entry.value)) return stringList(entry.value, `${label} ${entry.key}`, issues)
  const shell = stringValue(entry.value, `${label} ${entry.key}`, issues)
  return shell ? ['sh', '-c', shell] : []
}

function parseBuiltin(get: (k: string) => Entry | undefined, label: string, issues: IssueList, site: Site): StepAction | undefined {
  const uses = get('uses')!
  const name = stringValue(uses.value, `${label} uses`, issues)
  if (name === undefined) return undefined
  if (!(BUILTIN_NAMES as readonly string[]).includes(name)) {
    const near = nearest(name, BUILTIN_NAMES)
    issues.add(uses.value, `Unknown built-in step '${name}'.${near ? ` Did you mean '${near}'?` : ''} Built-ins: ${BUILTIN_NAMES.join(', ')}.`)
    return undefined
  }
  const withNode = get('with')?.value ?? null
  site(withNode, 'with')
  const args = withNode === null ? {} : isMap(withNode) ? (withNode.toJSON() as Record<string, unknown>) : undefined
  if (args === undefined) {
    issues.add(withNode, `${label} 'with' must be a mapping of arguments, not ${describe(withNode)}.`)
    return undefined
  }
  return { kind: 'builtin', uses: name as BuiltinName, with: args }
}

function parseOutputs(node: Node | null, label: string, issues: IssueList): StepSpec['outputs'] {
  if (node === null) return { artifacts: [], params: [] }
  const entries = mapEntries(node, `${label} outputs`, issues) ?? []
  checkKeys(entries, ['artifacts', 'params'], `${label} outputs`, issues)
  const list = (key: string) => {
    const entry = entries.find((e) => e.key === key)
    const names = entry ? stringList(entry.value, `${label} outputs.${key}`, issues) : []
    for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) issues.add(entry!.value, `Output name '${n}' must be a letter or '_' followed by letters, digits or '_' (it becomes an environment variable).`)
    return names
  }
  return { artifacts: list('artifacts'), params: list('params') }
}

function parseSecrets(node: Node | null, label: string, issues: IssueList): Record<string, SecretRef> {
  const out: Record<string, SecretRef> = {}
  for (const entry of (node === null ? [] : mapEntries(node, `${label} secrets`, issues)) ?? []) {
    const inner = mapEntries(entry.value, `${label} secrets.${entry.key}`, issues)
    if (!inner) continue
    checkKeys(inner, ['env', 'file'], `${label} secrets.${entry.key}`, issues)
    const env = inner.find((e) => e.key === 'env')
    const file = inner.find((e) => e.key === 'file')
    if (env) out[entry.key] = { fromEnv: stringValue(env.value, 'secrets env', issues) ?? '' }
    else if (file) out[entry.key] = { fromFile: stringValue(file.value, 'secrets file', issues) ?? '' }
    else issues.add(entry.value, `Secret '${entry.key}' needs {env: VARIABLE} or {file: PATH}.`)
  }
  return out
}

function parseRetry(node: Node | null, label: string, issues: IssueList): RetryPolicy {
  if (node === null) return NO_RETRY
  const plain = scalarValue(node)
  if (isScalar(node)) {
    if (typeof plain === 'number' && Number.isInteger(plain) && plain >= 0) return { ...NO_RETRY, limit: plain }
    issues.add(node, `${label} retries must be a whole number >= 0 or {limit, backoff, factor, max}, not ${describe(node)}.`)
    return NO_RETRY
  }
  const entries = mapEntries(node, `${label} retries`, issues) ?? []
  checkKeys(entries, ['limit', 'backoff', 'factor', 'max'], `${label} retries`, issues)
  const value = (key: string) => entries.find((e) => e.key === key)?.value ?? null
  const limit = scalarValue(value('limit'))
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) issues.add(value('limit') ?? node, `${label} retries.limit must be a whole number >= 0.`)
  const factor = value('factor') === null ? NO_RETRY.factor : scalarValue(value('factor'))
  if (typeof factor !== 'number' || factor < 1) issues.add(value('factor'), `${label} retries.factor must be a number >= 1.`)
  return {
    limit: typeof limit === 'number' ? limit : 0,
    backoffMs: durationAt(value('backoff'), `${label} retries.backoff`, issues) ?? NO_RETRY.backoffMs,
    factor: typeof factor === 'number' ? factor : NO_RETRY.factor,
    maxBackoffMs: durationAt(value('max'), `${label} retries.max`, issues) ?? NO_RETRY.maxBackoffMs,
  }
}

function timeoutOf(entry: Entry | undefined, label: string, issues: IssueList): { timeoutMs?: number } {
  const ms = entry ? durationAt(entry.value, `${label} timeout`, issues) : undefined
  return ms === undefined ? {} : { timeoutMs: ms }
}

export function durationAt(node: Node | null, what: string, issues: IssueList): number | undefined {
  if (node === null) return undefined
  const value = scalarValue(node)
  const ms = typeof value === 'string' ? parseDuration(value) : undefined
  if (ms === undefined) issues.add(node, `${what} must be a duration like 30s, 10m or 1h, not ${describe(node)}.`)
  return ms
}

function flag(entry: Entry | undefined, what: string, issues: IssueList): boolean | undefined {
  if (!entry) return undefined
  const value = scalarValue(entry.value)
  if (typeof value === 'boolean') return value
  issues.add(entry.value, `${what} must be true or false, not ${describe(entry.value)}.`)
  return undefined
}

function collectSites(node: Node | null, step: string, field: ExpressionSite['field'], out: ExpressionSite[]): void {
  if (node === null) return
  if (isScalar(node)) {
    const value = (node as Scalar).value
    if (typeof value === 'string' && value.includes('${{')) out.push({ node, text: value, step, field })
  } else if (isMap(node)) {
    for (const pair of node.items) collectSites((pair as { value: Node | null }).value, step, field, out)
  } else if (isSeq(node)) {
    for (const item of node.items) collectSites(item as Node, step, field, out)
  }
}
