/**
 * `${{ … }}` expressions in pipeline strings. The parser checks every reference; the runner
 * substitutes values when a step starts, so a step sees outputs of the steps before it.
 */

export type ExpressionRef =
  | { readonly scope: 'params'; readonly name: string }
  | { readonly scope: 'steps'; readonly step: string; readonly output: string }
  | { readonly scope: 'inputs' | 'outputs' | 'trigger'; readonly name: string }

export interface FoundExpression {
  /** Offset of `${{` within the string. */
  readonly index: number
  readonly text: string
  readonly ref?: ExpressionRef
  /** Why the expression is not understood, when it is not. */
  readonly problem?: string
}

const EXPRESSION = /\$\{\{([^}]*)\}\}/g
const IDENT = '[A-Za-z_][A-Za-z0-9_.-]*'
const PARAMS = new RegExp(`^params\\.(${IDENT})$`)
const STEPS = new RegExp(`^steps\\.([A-Za-z0-9_.-]+)\\.outputs\\.(${IDENT})$`)
const SIMPLE = new RegExp(`^(inputs|outputs|trigger)\\.(${IDENT})$`)

export function findExpressions(text: string): FoundExpression[] {
  const found: FoundExpression[] = []
  for (const match of text.matchAll(EXPRESSION)) {
    const body = match[1]!.trim()
    const ref = parseRef(body)
    found.push(ref ? { index: match.index, text: body, ref } : { index: match.index, text: body, problem: `'\${{ ${body} }}' is not an expression Plinth knows; use params.NAME, steps.STEP.outputs.NAME, inputs.NAME or outputs.NAME.` })
  }
  if (found.length === 0 && text.includes('${{')) found.push({ index: text.indexOf('${{'), text, problem: "An expression opened with '${{' is not closed with '}}'." })
  return found
}

function parseRef(body: string): ExpressionRef | undefined {
  let m = PARAMS.exec(body)
  if (m) return { scope: 'params', name: m[1]! }
  m = STEPS.exec(body)
  if (m) return { scope: 'steps', step: m[1]!, output: m[2]! }
  m = SIMPLE.exec(body)
  if (m) return { scope: m[1] as 'inputs' | 'outputs' | 'trigger', name: m[2]! }
  return undefined
}

/**
 * Replaces expressions with what `lookup` returns; an expression it returns undefined for is
 * kept as written (the executor fills `inputs.*`/`outputs.*` with local paths later).
 */
export function substitute(text: string, lookup: (ref: ExpressionRef) => string | undefined): string {
  return text.replace(EXPRESSION, (whole, body: string) => {
    const ref = parseRef(body.trim())
    const value = ref ? lookup(ref) : undefined
    return value ?? whole
  })
}

/** Whether the whole string is a single expression (an input naming another step's artifact). */
export function soleExpression(text: string): ExpressionRef | undefined {
  const found = findExpressions(text)
  if (found.length !== 1 || !found[0]!.ref) return undefined
  return text.trim() === `\${{ ${found[0]!.text} }}` || /^\$\{\{[^}]*\}\}$/.test(text.trim()) ? found[0]!.ref : undefined
}
