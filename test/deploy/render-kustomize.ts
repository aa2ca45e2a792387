import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import type { K8sObject } from './manifest-schemas.js'

export const KUBERNETES_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url))

/** `kubectl kustomize <dir>` (offline: it only reads files), parsed into objects. */
export function renderKustomize(relativeDir: string): K8sObject[] {
  let text: string
  try {
    text = execFileSync('kubectl', ['kustomize', KUBERNETES_DIR + relativeDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string }
    if (e.code === 'ENOENT') throw new Error('kubectl is not on PATH: install kubectl (its built-in kustomize renders the manifests)')
    throw new Error(`kubectl kustomize ${relativeDir} failed: ${e.stderr ?? e.message}`)
  }
  return parseYamlObjects(text)
}

export function parseYamlObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]!.message}`)
      return doc.toJS() as K8sObject | null
    })
    .filter((o): o is K8sObject => o !== null)
}
