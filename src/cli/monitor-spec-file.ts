import { readFile } from 'node:fs/promises'
import { isNode, LineCounter, parseDocument } from 'yaml'
import { AppError, isAppError } from '../shared/errors.js'
import type { MonitorSpec } from '../monitoring/monitors/monitor-entities.js'
import { parseMonitorSpec } from '../monitoring/monitors/monitor-spec.js'

/**
 * Reads a monitor spec from a YAML (or JSON, which is YAML) file. Syntax errors and spec refusals
 * both say `file:line:column`, the spec's field path mapped back to where it is written (or, for a
 * missing field, to its parent).
 */
export async function readMonitorSpecFile(path: string): Promise<{ spec: MonitorSpec; wire: unknown }> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new AppError('INVALID_PARAMETER_VALUE', `Cannot read monitor spec '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
  return parseMonitorSpecYaml(text, path)
}

export function parseMonitorSpecYaml(text: string, name: string): { spec: MonitorSpec; wire: unknown } {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false })
  const where = (offset: number) => {
    const { line, col } = lines.linePos(offset)
    return `${name}:${line}:${col}`
  }
  const syntax = doc.errors[0]
  if (syntax) throw new AppError('INVALID_PARAMETER_VALUE', `${where(syntax.pos[0])}: invalid YAML: ${syntax.message.split('\n')[0]}`)
  const wire = doc.toJS()
  try {
    return { spec: parseMonitorSpec(wire), wire }
  } catch (error) {
    if (!isAppError(error)) throw error
    const path = (error.details?.path as Array<string | number> | undefined) ?? []
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)
      if (isNode(node) && node.range) throw new AppError(error.code, `${where(node.range[0])}: ${error.message}`, { details: error.details })
    }
    throw error
  }
}
