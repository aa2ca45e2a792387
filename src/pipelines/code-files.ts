import { createHash } from 'node:crypto'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/** Matches `*` within a path segment, `**` across segments and `?` one character. */
function globRegex(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*'
      i += glob[i + 2] === '/' ? 2 : 1
    } else if (c === '*') out += '[^/]*'
    else if (c === '?') out += '[^/]'
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/** Files under `baseDir` matching the globs, as sorted '/'-separated relative paths. */
export async function expandGlobs(globs: readonly string[], baseDir: string): Promise<string[]> {
  const found = new Set<string>()
  for (const glob of globs) {
    const segments = glob.split('/')
    const fixed = segments.findIndex((s) => /[*?]/.test(s))
    if (fixed === -1) {
      if ((await stat(join(baseDir, glob)).catch(() => undefined))?.isFile()) found.add(glob)
      continue
    }
    const root = join(baseDir, ...segments.slice(0, fixed))
    const pattern = globRegex(glob)
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (!entry.isFile()) continue
      const path = relative(baseDir, join(entry.parentPath, entry.name)).split(sep).join('/')
      if (pattern.test(path)) found.add(path)
    }
  }
  return [...found].sort()
}

/**
 * Content hashes of a step's declared code files. A glob that matches nothing is recorded too,
 * so adding the first matching file changes the key.
 */
export async function hashCodeFiles(globs: readonly string[], baseDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const glob of globs) {
    const files = await expandGlobs([glob], baseDir)
    if (files.length === 0) out[`${glob}#none`] = ''
    for (const file of files) out[file] = createHash('sha256').update(await readFile(join(baseDir, file))).digest('hex')
  }
  return out
}
