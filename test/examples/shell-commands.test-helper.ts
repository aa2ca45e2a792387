/**
 * Finds the command lines of one program in a shell script well enough to check a workflow's
 * `run:` blocks: quotes, line continuations, comments, `$(…)`, pipes, lists and redirections.
 * Not a shell: expansions stay as written, and the first word of each simple command is matched.
 */

const OPERATORS = ['&&', '||', '$(', '2>', '>>', ';', '|', '(', ')', '>', '<', '&']
const STARTS_COMMAND = new Set(['&&', '||', '$(', ';', '|', '(', '&'])
const KEYWORDS = new Set(['then', 'do', 'else', 'if', '!', 'elif', 'while', 'until', 'time'])
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/
const ENDS_COMMAND = new Set(['&&', '||', ';', '|', ')', '&', '2>', '>>', '>', '<'])

interface Token {
  text: string
  operator: boolean
}

function readQuoted(line: string, start: number): [string, number] {
  const quote = line[start]!
  let i = start + 1
  let text = ''
  while (i < line.length && line[i] !== quote) {
    if (quote === '"' && line[i] === '\\' && i + 1 < line.length) i++
    text += line[i]
    i++
  }
  if (i >= line.length) throw new Error(`Unterminated ${quote} in: ${line}`)
  return [text, i + 1]
}

function tokenize(line: string): Token[] {
  const tokens: Token[] = []
  let word: string | undefined
  const flush = () => {
    if (word !== undefined) tokens.push({ text: word, operator: false })
    word = undefined
  }
  for (let i = 0; i < line.length; ) {
    const ch = line[i]!
    if (ch === '#' && word === undefined) break
    if (/\s/.test(ch)) {
      flush()
      i++
      continue
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i) && (o !== '2>' || word === undefined))
    if (op) {
      flush()
      tokens.push({ text: op, operator: true })
      i += op.length
      continue
    }
    if (ch === '"' || ch === "'") {
      const [text, next] = readQuoted(line, i)
      word = (word ?? '') + text
      i = next
      continue
    }
    word = (word ?? '') + ch
    i++
  }
  flush()
  return tokens
}

/** GitHub expressions may hold spaces; they are opaque values to the shell check. */
export function withoutExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, 'GHA_EXPRESSION')
}

/** Every invocation of `program` in the script, as its argument lists (program name left out). */
export function commandsOf(script: string, program: string): string[][] {
  const lines = withoutExpressions(script).replace(/\\\r?\n/g, ' ').split(/\r?\n/)
  const found: string[][] = []
  for (const line of lines) {
    const tokens = tokenize(line)
    let atCommand = true
    tokens.forEach((token, i) => {
      if (token.operator) {
        atCommand = STARTS_COMMAND.has(token.text)
        return
      }
      // Keywords and `VAR=value` prefixes leave the next word in command position.
      if (atCommand && (KEYWORDS.has(token.text) || ASSIGNMENT.test(token.text))) return
      if (atCommand && token.text === program) {
        const end = tokens.findIndex((t, j) => j > i && t.operator && ENDS_COMMAND.has(t.text))
        found.push(tokens.slice(i + 1, end === -1 ? undefined : end).map((t) => t.text))
      }
      atCommand = false
    })
  }
  return found
}
