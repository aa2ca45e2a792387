import { parse } from 'yaml'

/** A step and the steps it waits for: `depends`, plus any `${{ steps.X.outputs… }}` it reads. */
export interface GraphNode {
  name: string
  depends: string[]
  layer: number
}

const STEP_REFERENCE = /steps\.([A-Za-z0-9_.-]+?)\.outputs/g

export function pipelineGraph(source: string, stepNames: string[]): GraphNode[] {
  let steps: Array<Record<string, unknown>> = []
  try {
    const doc = parse(source) as { steps?: Array<Record<string, unknown>> } | null
    steps = Array.isArray(doc?.steps) ? doc!.steps : []
  } catch {
    steps = []
  }
  const known = new Set(stepNames)
  const depends = new Map<string, string[]>()
  for (const name of stepNames) {
    const step = steps.find((s) => s.name === name) ?? {}
    const listed = Array.isArray(step.depends) ? step.depends.map(String) : typeof step.depends === 'string' ? [step.depends] : []
    const referenced = [...JSON.stringify(step).matchAll(STEP_REFERENCE)].map((m) => m[1]!)
    depends.set(name, [...new Set([...listed, ...referenced])].filter((d) => known.has(d) && d !== name))
  }
  const layers = new Map<string, number>()
  const layerOf = (name: string, seen: Set<string>): number => {
    if (layers.has(name)) return layers.get(name)!
    if (seen.has(name)) return 0
    seen.add(name)
    const layer = Math.max(-1, ...depends.get(name)!.map((d) => layerOf(d, seen))) + 1
    layers.set(name, layer)
    return layer
  }
  return stepNames.map((name) => ({ name, depends: depends.get(name)!, layer: layerOf(name, new Set()) }))
}
