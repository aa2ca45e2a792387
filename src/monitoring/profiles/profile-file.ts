import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs'
import { invalidParameter, notFound } from '../../shared/errors.js'
import { profileFromJson, profileToJson, type DataProfile } from './column-profile.js'

/** True when the file starts (after whitespace) with '{': a profile JSON rather than a CSV. */
export function isProfileFile(path: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    throw notFound(`Cannot read '${path}': check the path.`)
  }
  try {
    const head = Buffer.alloc(64)
    const n = readSync(fd, head, 0, head.length, 0)
    return head.subarray(0, n).toString('utf8').trimStart().startsWith('{')
  } finally {
    closeSync(fd)
  }
}

export function readProfileFile(path: string, role = 'profile'): DataProfile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw notFound(`Cannot read the ${role} profile '${path}': check the path.`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalidParameter(`The ${role} profile '${path}' is not valid JSON (${(error as Error).message}); re-create it with \`plinth profile\`.`)
  }
  return profileFromJson(json, `${role} profile '${path}'`)
}

export function writeProfileFile(path: string, profile: DataProfile): void {
  try {
    writeFileSync(path, `${JSON.stringify(profileToJson(profile))}\n`)
  } catch (error) {
    throw invalidParameter(`Cannot write the profile to '${path}': ${(error as Error).message}. Choose a writable path.`)
  }
}
