import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'

/** `docker` or `podman` from PATH, whichever comes first; undefined when neither is there. */
export async function findContainerRuntime(path: string = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const name of ['docker', 'podman']) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const file = join(dir, name)
      if (await access(file, constants.X_OK).then(() => true, () => false)) return file
    }
  }
  return undefined
}

/**
 * The `docker run` for an `image:` step. The scratch folder (inputs, outputs, the output and
 * metrics files) is mounted at the same path, so the paths in the step's environment hold inside.
 */
export function containerCommand(runtime: string, image: string, argv: readonly string[], options: { scratch: string; workingDir?: string; env: readonly string[] }): string[] {
  const mounts = ['-v', `${options.scratch}:${options.scratch}`]
  if (options.workingDir) mounts.push('-v', `${options.workingDir}:${options.workingDir}`)
  // `-e NAME` without a value copies it from the runtime's own environment: secrets stay off argv.
  const env = options.env.filter((name) => name !== 'PATH' && name !== 'HOME' && name !== 'HOSTNAME').flatMap((name) => ['-e', name])
  return [runtime, 'run', '--rm', ...mounts, '-w', options.workingDir ?? options.scratch, ...env, image, ...argv]
}
