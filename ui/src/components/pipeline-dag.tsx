import type { GraphNode } from '../lib/pipeline-graph.js'

const W = 150
const H = 44
const GAP_X = 60
const GAP_Y = 18
const FILL: Record<string, string> = { ok: '#e3f4e8', cached: '#e4f1f1', warn: '#fff3d6', bad: '#fde8e6', info: '#e6eefb', '': '#f0f2f5' }
const STROKE: Record<string, string> = { ok: '#1a7f37', cached: '#0f5f5f', warn: '#8a5a00', bad: '#b3261e', info: '#1d5fc4', '': '#8a94a3' }

/** The pipeline as layers left to right (a step right of everything it waits for), coloured by state. */
export function PipelineDag({ nodes, status, selected, onSelect }: { nodes: GraphNode[]; status: (step: string) => { label: string; kind: string }; selected?: string; onSelect: (step: string) => void }) {
  const columns = new Map<number, GraphNode[]>()
  for (const n of nodes) columns.set(n.layer, [...(columns.get(n.layer) ?? []), n])
  const position = new Map<string, { x: number; y: number }>()
  for (const [layer, list] of columns) list.forEach((n, i) => position.set(n.name, { x: 10 + layer * (W + GAP_X), y: 10 + i * (H + GAP_Y) }))
  const width = 20 + columns.size * (W + GAP_X) - GAP_X
  const height = 20 + Math.max(...[...columns.values()].map((l) => l.length)) * (H + GAP_Y) - GAP_Y
  return (
    <div class="dag">
      <svg width={width} height={height} role="group" aria-label="Pipeline steps">
        {nodes.flatMap((n) =>
          n.depends.map((d) => {
            const a = position.get(d)!
            const b = position.get(n.name)!
            const x1 = a.x + W
            const y1 = a.y + H / 2
            const x2 = b.x
            const y2 = b.y + H / 2
            return <path key={`${d}-${n.name}`} d={`M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2},${y2}`} fill="none" stroke="#8a94a3" stroke-width="1.5" marker-end="url(#arrow)" />
          }),
        )}
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#8a94a3" />
          </marker>
        </defs>
        {nodes.map((n) => {
          const p = position.get(n.name)!
          const s = status(n.name)
          return (
            <g
              key={n.name}
              transform={`translate(${p.x},${p.y})`}
              role="button"
              tabIndex={0}
              aria-label={`Step ${n.name}: ${s.label}`}
              aria-pressed={selected === n.name}
              style={{ cursor: 'pointer' }}
              onClick={() => onSelect(n.name)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect(n.name))}
            >
              <rect width={W} height={H} rx="6" fill={FILL[s.kind] ?? FILL['']} stroke={STROKE[s.kind] ?? STROKE['']} stroke-width={selected === n.name ? 3 : 1.5} stroke-dasharray={s.kind === 'cached' || s.kind === 'warn' ? '5 3' : undefined} />
              <text x="10" y="18" fill="#1b1f24" font-weight="600">{n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}</text>
              <text x="10" y="34" fill="#4f5866">{s.label}</text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
