/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  keyword: string
  args: string
  line: number
}

/** A build stage: from `FROM` up to the next. */
export interface Stage {
  from: string
  name: string | undefined
  instructions: Instruction[]
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) return
    if (pending === '') startLine = index + 1
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line
    if (line.endsWith('\\')) return
    const [keyword = '', ...rest] = pending.split(/\s+/)
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine }
    pending = ''
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = rest
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  })
  return stages
}

// A name that suggests a credential; ARG/ENV values end up in the image history for anyone to read.
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i

/** What is wrong with the Dockerfile against the house rules for images; empty when nothing. */
export function dockerfileProblems(text: string): string[] {
  const stages = parseDockerfile(text)
  const final = stages.at(-1)
  if (final === undefined) return ['no FROM instruction']
  return [...basePinProblems(stages), ...finalStageProblems(final), ...secretProblems(stages), ...dependencyProblems(stages, final)]
}

function basePinProblems(stages: Stage[]): string[] {
  const stageNames = new Set(stages.map((s) => s.name).filter((n) => n !== undefined))
  return stages
    .filter((s) => !stageNames.has(s.from))
    .filter((s) => !/@sha256:[0-9a-f]{64}$/.test(s.from) && !/:[^:@/]*\d+\.\d+\.\d+[^:@/]*$/.test(s.from))
    .map((s) => `FROM ${s.from}: pin the base image by digest or exact version (e.g. node:22.21.0-bookworm-slim)`)
}

function finalStageProblems(final: Stage): string[] {
  const problems: string[] = []
  const user = final.instructions.filter((i) => i.keyword === 'USER').at(-1)
  if (user === undefined || /^(root|0)(:|$)/.test(user.args)) problems.push('the final stage must switch to a non-root USER')
  const health = final.instructions.find((i) => i.keyword === 'HEALTHCHECK')
  if (health === undefined || /^NONE\b/i.test(health.args)) problems.push('the final stage needs a HEALTHCHECK')
  return problems
}

function secretProblems(stages: Stage[]): string[] {
  return stages.flatMap((s) =>
    s.instructions
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .flatMap((i) => variableNames(i.args).filter((name) => SECRET_NAME.test(name)).map((name) => `${i.keyword} ${name} (line ${i.line}): pass secrets at run time, never in ${i.keyword}`)),
  )
}

function variableNames(args: string): string[] {
  // `ENV A=1 B=2`, `ENV A 1`, `ARG A`, `ARG A=default`.
  if (!args.includes('=')) return [args.split(/\s+/)[0] ?? '']
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!)
}

/** The node_modules the final stage runs with must come from an install without dev dependencies. */
function dependencyProblems(stages: Stage[], final: Stage): string[] {
  const problems = npmInstalls(final)
    .filter((run) => !/--omit=dev\b/.test(run.args))
    .map((run) => `line ${run.line}: the final stage installs dev dependencies; use npm ci --omit=dev`)
  const copy = final.instructions.find((i) => i.keyword === 'COPY' && /node_modules/.test(i.args))
  const source = copy?.args.match(/--from=(\S+)/)?.[1]
  if (source === undefined) {
    if (npmInstalls(final).length === 0) problems.push('the final stage gets no node_modules (COPY --from=<deps stage> or npm ci --omit=dev)')
    return problems
  }
  const installs = npmInstalls(stages.find((s) => s.name === source))
  if (installs.length === 0 || installs.some((run) => !/--omit=dev\b/.test(run.args))) {
    problems.push(`node_modules come from stage ${source}, which must install with npm ci --omit=dev`)
  }
  return problems
}

function npmInstalls(stage: Stage | undefined): Instruction[] {
  return (stage?.instructions ?? []).filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args))
}
