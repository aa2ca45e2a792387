/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for the smooth convex objectives
 * the linear trainers minimize. Convex problems need no Wolfe curvature search: a pair that fails
 * the curvature condition is simply not stored.
 */

/** Returns f(x) and writes ∇f(x) into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number

export interface LbfgsOptions {
  readonly maxIterations: number
  /** Stop when the largest gradient component is below this. */
  readonly tolerance: number
  readonly memory?: number
  readonly onIteration?: (iteration: number) => void
}

export interface LbfgsResult {
  readonly x: Float64Array
  readonly value: number
  readonly iterations: number
  readonly converged: boolean
}

const ARMIJO = 1e-4
const MAX_BACKTRACKS = 40

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

function maxAbs(a: Float64Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!))
  return m
}

/** The two-loop recursion: direction = −H·g with H the implicit inverse-Hessian estimate. */
function direction(g: Float64Array, s: Float64Array[], y: Float64Array[]): Float64Array {
  const q = Float64Array.from(g)
  const alpha: number[] = []
  for (let k = s.length - 1; k >= 0; k--) {
    const a = dot(s[k]!, q) / dot(y[k]!, s[k]!)
    alpha[k] = a
    for (let i = 0; i < q.length; i++) q[i]! -= a * y[k]![i]!
  }
  if (s.length > 0) {
    const last = s.length - 1
    const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!)
    for (let i = 0; i < q.length; i++) q[i]! *= gamma
  }
  for (let k = 0; k < s.length; k++) {
    const b = dot(y[k]!, q) / dot(y[k]!, s[k]!)
    for (let i = 0; i < q.length; i++) q[i]! += s[k]![i]! * (alpha[k]! - b)
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i]!
  return q
}

export function minimizeLbfgs(objective: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const memory = options.memory ?? 10
  let x = Float64Array.from(start)
  let g = new Float64Array(x.length)
  let value = objective(x, g)
  const s: Float64Array[] = []
  const y: Float64Array[] = []
  let iteration = 0
  while (iteration < options.maxIterations && maxAbs(g) >= options.tolerance) {
    const d = direction(g, s, y)
    let slope = dot(d, g)
    if (slope >= 0) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      s.length = 0
      y.length = 0
      for (let i = 0; i < d.length; i++) d[i] = -g[i]!
      slope = dot(d, g)
    }
    let step = iteration === 0 && s.length === 0 ? Math.min(1, 1 / Math.max(maxAbs(g), 1e-12)) : 1
    const next = new Float64Array(x.length)
    const nextG = new Float64Array(x.length)
    let nextValue = Infinity
    for (let t = 0; t < MAX_BACKTRACKS; t++) {
      for (let i = 0; i < x.length; i++) next[i] = x[i]! + step * d[i]!
      nextValue = objective(next, nextG)
      if (nextValue <= value + ARMIJO * step * slope) break
      step /= 2
    }
    if (!(nextValue < value) && !(nextValue <= value + ARMIJO * step * slope)) break
    const sk = new Float64Array(x.length)
    const yk = new Float64Array(x.length)
    for (let i = 0; i < x.length; i++) {
      sk[i] = next[i]! - x[i]!
      yk[i] = nextG[i]! - g[i]!
    }
    if (dot(sk, yk) > 1e-12 * dot(yk, yk)) {
      s.push(sk)
      y.push(yk)
      if (s.length > memory) {
        s.shift()
        y.shift()
      }
    }
    const improvement = value - nextValue
    x = next
    g = nextG
    value = nextValue
    iteration++
    options.onIteration?.(iteration)
    if (improvement <= 1e-15 * Math.max(1, Math.abs(value))) break
  }
  return { x, value, iterations: iteration, converged: maxAbs(g) < options.tolerance }
}
