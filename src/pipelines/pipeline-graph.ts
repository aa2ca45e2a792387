import { findExpressions } from './pipeline-expressions.js'
import type { PipelineSpec, StepSpec } from './pipeline-spec.js'

/** Every step a step waits for: its `depends` plus the steps whose outputs it references. */
export function upstreamOf(step: StepSpec): string[] {
  const names = new Set(step.depends)
  for (const text of stepStrings(step)) {
    for (const found of findExpressions(text)) if (found.ref?.scope === 'steps') names.add(found.ref.step)
  }
  names.delete(step.name)
  return [...names]
}

/** Strings of a step that may hold `${{ steps.… }}` references. */
export function stepStrings(step: StepSpec): string[] {
  const a = step.action
  const action = a.kind === 'builtin' ? jsonStrings(a.with) : a.kind === 'image' ? [...a.argv] : [...(a.shell === undefined ? [] : [a.shell]), ...(a.argv ?? [])]
  return [...action, ...Object.values(step.inputs), ...Object.values(step.env)]
}

function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(jsonStrings)
  if (value && typeof value === 'object') return Object.values(value).flatMap(jsonStrings)
  return []
}

/** The DAG of a validated spec: upstream and downstream names per step. */
export class PipelineGraph {
  readonly upstream: ReadonlyMap<string, readonly string[]>
  readonly downstream: ReadonlyMap<string, readonly string[]>
  readonly steps: ReadonlyMap<string, StepSpec>

  constructor(spec: PipelineSpec) {
    const up = new Map<string, string[]>()
    const down = new Map<string, string[]>(spec.steps.map((s) => [s.name, []]))
    for (const step of spec.steps) {
      const deps = upstreamOf(step).filter((d) => down.has(d))
      up.set(step.name, deps)
      for (const d of deps) down.get(d)!.push(step.name)
    }
    this.upstream = up
    this.downstream = down
    this.steps = new Map(spec.steps.map((s) => [s.name, s]))
  }

  /** Every step reachable downstream of `name` (not including it). */
  descendants(name: string): Set<string> {
    const seen = new Set<string>()
    const stack = [...(this.downstream.get(name) ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (seen.has(next)) continue
      seen.add(next)
      stack.push(...(this.downstream.get(next) ?? []))
    }
    return seen
  }
}

/** A cycle as step names, first repeated at the end (`a -> b -> a`), or undefined. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name]
    state.set(name, 'open')
    path.push(name)
    for (const next of edges.get(name) ?? []) {
      const cycle = edges.has(next) ? visit(next) : undefined
      if (cycle) return cycle
    }
    path.pop()
    state.set(name, 'done')
    return undefined
  }
  for (const name of edges.keys()) {
    const cycle = visit(name)
    if (cycle) return cycle
  }
  return undefined
}
