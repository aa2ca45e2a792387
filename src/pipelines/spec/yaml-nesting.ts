/** Far deeper than any pipeline file; far shallower than what crashes the YAML parser. */
export const MAX_FLOW_DEPTH = 64

/**
 * The offset where flow collections (`[` `{`) nest deeper than `limit`, or undefined. The yaml
 * package parses nesting recursively, and a few thousand levels (`[[[[…`) abort the whole
 * process inside V8's regexp compiler, which no try/catch can stop, so this runs first.
 * Quoted scalars and comments are skipped; the count errs towards deeper, never shallower.
 */
export function deepFlowOffset(source: string, limit = MAX_FLOW_DEPTH): number | undefined {
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (quote) {
      if (c === quote && !(quote === '"' && source[i - 1] === '\\')) quote = undefined
      else if (c === '\n' && quote === "'") quote = undefined
      continue
    }
    if (c === '#' && (i === 0 || /\s/.test(source[i - 1]!))) {
      const end = source.indexOf('\n', i)
      if (end === -1) break
      i = end
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(source[i - 1]!))) quote = c
    else if (c === '[' || c === '{') {
      if (++depth > limit) return i
    } else if ((c === ']' || c === '}') && depth > 0) depth--
  }
  return undefined
}
