import { isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { AppError } from '../shared/errors.js'
import type { BuiltinStep } from './builtin-step.js'
import { findCycle, upstreamOf } from './pipeline-graph.js'
import { findExpressions } from './pipeline-expressions.js'
import type { BuiltinName, ParamSpec, PipelineSpec, StepSpec } from './pipeline-spec.js'
import { type ExpressionSite, type ParsedStep, parseStep } from './spec/parse-step.js'
import { parseTriggers, policyOf, type TriggerParamSite } from './spec/parse-triggers.js'
import { deepFlowOffset, MAX_FLOW_DEPTH } from './spec/yaml-nesting.js'
import { checkKeys, describe, formatIssue, IssueList, mapEntries, scalarValue, seqItems, type SpecIssue, stringMap, stringValue } from './spec/spec-issues.js'

export type { SpecIssue } from './spec/spec-issues.js'
export { formatIssue } from './spec/spec-issues.js'

const TOP_KEYS = ['name', 'description', 'params', 'concurrency', 'env', 'triggers', 'steps']

export interface ParseOptions {
  /** Shown in every issue (`pipelines/churn.yaml:12:5`). */
  readonly file?: string
  /** Built-in steps whose `validate` checks `with:`; unknown names are refused either way. */
  readonly builtins?: ReadonlyMap<BuiltinName, BuiltinStep>
}

export type ParseResult = { readonly ok: true; readonly spec: PipelineSpec } | { readonly ok: false; readonly issues: readonly SpecIssue[] }

/** YAML text to a checked PipelineSpec, or every problem found, each with line and column. */
export function parsePipeline(source: string, options: ParseOptions = {}): ParseResult {
  const lines = new LineCounter()
  const deep = deepFlowOffset(source)
  if (deep !== undefined) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lines.addNewLine(i + 1)
    const issues = new IssueList(lines, options.file)
    issues.atOffset(deep, `Collections ('[' or '{') nest more than ${MAX_FLOW_DEPTH} deep here; a pipeline file needs only a few levels.`)
    return { ok: false, issues: issues.issues }
  }
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const issues = new IssueList(lines, options.file)
  for (const error of doc.errors) issues.atOffset(error.pos[0], yamlMessage(error.code, error.message))
  if (doc.errors.length > 0) return { ok: false, issues: issues.issues }
  const spec = buildSpec(doc.contents as Node | null, issues, options)
  return spec && issues.issues.length === 0 ? { ok: true, spec } : { ok: false, issues: issues.issues }
}

/** parsePipeline that throws INVALID_PARAMETER_VALUE listing every issue (details.issues). */
export function parsePipelineOrThrow(source: string, options: ParseOptions = {}): PipelineSpec {
  const result = parsePipeline(source, options)
  if (result.ok) return result.spec
  const text = result.issues.map(formatIssue).join('\n')
  throw new AppError('INVALID_PARAMETER_VALUE', `The pipeline file has ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}:\n${text}`, { details: { issues: result.issues } })
}

function buildSpec(root: Node | null, issues: IssueList, options: ParseOptions): PipelineSpec | undefined {
  const entries = mapEntries(root, 'A pipeline file', issues)
  if (!entries) return undefined
  checkKeys(entries, TOP_KEYS, 'the pipeline', issues)
  const value = (key: string) => entries.find((e) => e.key === key)?.value ?? null
  const nameNode = value('name')
  const name = entries.some((e) => e.key === 'name') ? stringValue(nameNode, 'name', issues) : undefined
  if (!entries.some((e) => e.key === 'name')) issues.add(root, "The pipeline has no 'name'; add e.g. `name: churn-retrain`.")
  else if (name && !/^[A-Za-z0-9_.-]+$/.test(name)) issues.add(nameNode, `Pipeline name '${name}' may only use letters, digits, '_', '.' and '-'.`)
  const params = parseParams(value('params'), issues)
  const triggerSites: TriggerParamSite[] = []
  const triggers = parseTriggers(value('triggers'), issues, triggerSites)
  const parsed = parseSteps(value('steps'), root, issues)
  checkGraph(parsed, params, issues)
  for (const site of triggerSites) if (!(site.name in params)) issues.add(site.node, `Trigger param '${site.name}' is not declared under 'params'; declare it there.`)
  checkBuiltins(parsed, options.builtins, issues)
  const description = value('description') ? stringValue(value('description'), 'description', issues) : undefined
  return {
    name: name ?? '',
    ...(description ? { description } : {}),
    params,
    steps: parsed.map((p) => p.spec),
    triggers,
    concurrency: policyOf(entries.find((e) => e.key === 'concurrency'), issues) ?? 'allow',
    env: value('env') ? stringMap(value('env'), 'env', issues) : {},
  }
}

function parseParams(node: Node | null, issues: IssueList): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {}
  for (const entry of node === null ? [] : (mapEntries(node, 'params', issues) ?? [])) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(entry.key)) issues.add(entry.keyNode, `Param name '${entry.key}' must be a letter or '_' followed by letters, digits or '_'.`)
    const inner = entry.value !== null && !isPlain(entry.value) ? mapEntries(entry.value, `params.${entry.key}`, issues) : undefined
    if (!inner) {
      const plain = scalarValue(entry.value)
      out[entry.key] = plain === null || plain === undefined ? { required: true } : { default: plain as string | number | boolean, required: false }
      continue
    }
    checkKeys(inner, ['default', 'description'], `params.${entry.key}`, issues)
    const def = inner.find((e) => e.key === 'default')
    const defValue = def ? scalarValue(def.value) : undefined
    if (def && (defValue === undefined || defValue === null || typeof defValue === 'object')) issues.add(def.value, `params.${entry.key}.default must be a string, number or boolean, not ${describe(def.value)}.`)
    const desc = inner.find((e) => e.key === 'description')
    const description = desc ? stringValue(desc.value, `params.${entry.key}.description`, issues) : undefined
    out[entry.key] = { ...(defValue === undefined || defValue === null ? {} : { default: defValue as string | number | boolean }), ...(description ? { description } : {}), required: defValue === undefined || defValue === null }
  }
  return out
}

function isPlain(node: Node): boolean {
  const value = scalarValue(node)
  return value !== undefined
}

function parseSteps(node: Node | null, root: Node | null, issues: IssueList): ParsedStep[] {
  if (node === null) {
    issues.add(root, "The pipeline has no 'steps'; add a list of steps, each with a name and 'run', 'uses' or 'image'.")
    return []
  }
  const items = seqItems(node, 'steps', issues) ?? []
  if (items.length === 0 && isSeq(node)) issues.add(node, "'steps' is empty; a pipeline needs at least one step.")
  const parsed = items.flatMap((item, i) => parseStep(item, i, issues) ?? [])
  const seen = new Map<string, ParsedStep>()
  for (const p of parsed) {
    const first = seen.get(p.spec.name)
    if (first) issues.add(p.nameNode, `Step name '${p.spec.name}' is used twice (first at line ${issues.locate(first.nameNode).line}); step names must be unique.`)
    else seen.set(p.spec.name, p)
  }
  return parsed
}

function checkGraph(parsed: readonly ParsedStep[], params: Readonly<Record<string, ParamSpec>>, issues: IssueList): void {
  const byName = new Map(parsed.map((p) => [p.spec.name, p.spec]))
  for (const p of parsed) {
    for (const dep of p.spec.depends) {
      if (byName.has(dep)) continue
      issues.add(p.dependsNode, `Step '${p.spec.name}' depends on '${dep}', which is not a step here. Steps: ${[...byName.keys()].join(', ')}.`)
    }
    for (const site of p.sites) checkSite(site, p.spec, byName, params, issues)
  }
  const edges = new Map(parsed.map((p) => [p.spec.name, upstreamOf(p.spec).filter((d) => byName.has(d))]))
  const cycle = findCycle(edges)
  if (cycle) {
    const at = parsed.find((p) => p.spec.name === cycle[0])
    issues.add(at?.dependsNode ?? at?.nameNode, `Steps wait for each other in a cycle: ${cycle.join(' -> ')} (each waits for the next); remove one of these dependencies.`)
  }
}

function checkSite(site: ExpressionSite, step: StepSpec, steps: ReadonlyMap<string, StepSpec>, params: Readonly<Record<string, ParamSpec>>, issues: IssueList): void {
  for (const found of findExpressions(site.text)) {
    const problem = found.problem ?? refProblem(found.ref!, site, step, steps, params)
    if (problem) issues.add(site.node, problem)
  }
}

function refProblem(ref: NonNullable<ReturnType<typeof findExpressions>[number]['ref']>, site: ExpressionSite, step: StepSpec, steps: ReadonlyMap<string, StepSpec>, params: Readonly<Record<string, ParamSpec>>): string | undefined {
  if (ref.scope === 'params') return ref.name in params ? undefined : `'params.${ref.name}' is not declared; declare it under 'params' (declared: ${Object.keys(params).join(', ') || 'none'}).`
  if (ref.scope === 'steps') {
    const other = steps.get(ref.step)
    if (!other) return `'steps.${ref.step}' is not a step in this pipeline (steps: ${[...steps.keys()].join(', ')}).`
    if (other.name === step.name) return `Step '${step.name}' cannot read its own outputs; use \${{ outputs.${ref.output} }} for the path it writes.`
    // A built-in's outputs are its own (docs/pipelines-builtins.md), not declared in the file; one it did not produce fails the reading step when it starts.
    if (other.action.kind === 'builtin') return undefined
    const declared = [...other.outputs.params, ...other.outputs.artifacts]
    return declared.includes(ref.output) ? undefined : `Step '${ref.step}' declares no output '${ref.output}'; add it to its outputs (declared: ${declared.join(', ') || 'none'}).`
  }
  if (ref.scope === 'trigger') return `'trigger.${ref.name}' is only available in trigger param mappings; map it to a param and use \${{ params.NAME }}.`
  if (site.field === 'inputs') return `An input cannot refer to '${ref.scope}.${ref.name}'; give a URI, a path, \${{ params.NAME }} or \${{ steps.STEP.outputs.ARTIFACT }}.`
  const names = ref.scope === 'inputs' ? Object.keys(step.inputs) : step.outputs.artifacts
  if (names.includes(ref.name)) return undefined
  return ref.scope === 'inputs' ? `Step '${step.name}' has no input '${ref.name}'; declare it under its 'inputs'.` : `Step '${step.name}' declares no output artifact '${ref.name}'; add it to outputs.artifacts.`
}

function checkBuiltins(parsed: readonly ParsedStep[], builtins: ParseOptions['builtins'], issues: IssueList): void {
  if (!builtins) return
  for (const p of parsed) {
    if (p.spec.action.kind !== 'builtin') continue
    const builtin = builtins.get(p.spec.action.uses)
    for (const problem of builtin?.validate(p.spec.action.with) ?? []) issues.add(p.nameNode, `Step '${p.spec.name}' (uses: ${p.spec.action.uses}): ${problem}`)
  }
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')
  if (code === 'DUPLICATE_KEY') return `${first}; each key may appear once in a mapping.`
  return `YAML syntax: ${first}`
}
