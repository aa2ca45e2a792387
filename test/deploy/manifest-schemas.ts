import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

/** A rendered Kubernetes object, as far as the checks need to know it. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  spec?: any
  data?: Record<string, string>
  stringData?: Record<string, string>
}

const FIXTURES = new URL('../fixtures/', import.meta.url)

// The file names follow the generator's convention: the API group cut to its first label.
const SCHEMA_FILES: Record<string, string> = {
  'apps/v1/Deployment': 'deployment-apps-v1.json',
  'v1/Service': 'service-v1.json',
  'v1/ConfigMap': 'configmap-v1.json',
  'v1/Secret': 'secret-v1.json',
  'autoscaling/v2/HorizontalPodAutoscaler': 'horizontalpodautoscaler-autoscaling-v2.json',
  'policy/v1/PodDisruptionBudget': 'poddisruptionbudget-policy-v1.json',
  'networking.k8s.io/v1/Ingress': 'ingress-networking-v1.json',
}

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv

/**
 * One ajv for the upstream schemas: strict off because they carry `x-kubernetes-*` annotation
 * keywords ajv does not know, union types written as arrays, and the int32/int64/byte formats.
 */
export function createSchemaValidator(): Ajv {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true })
  addFormats(ajv)
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 })
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) })
  return ajv
}

/** Validators by `apiVersion/kind`, compiled on first use (the Deployment schema is large). */
export class KubernetesSchemas {
  readonly #ajv = createSchemaValidator()
  readonly #compiled = new Map<string, ValidateFunction>()

  has(object: K8sObject): boolean {
    return `${object.apiVersion}/${object.kind}` in SCHEMA_FILES
  }

  /** Error lines (path and message) for one object; empty when it is valid. */
  errors(object: K8sObject): string[] {
    const validate = this.#validator(`${object.apiVersion}/${object.kind}`)
    const where = `${object.kind}/${object.metadata?.name}`
    if (validate(object)) return []
    return (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
  }

  #validator(key: string): ValidateFunction {
    const file = SCHEMA_FILES[key]
    if (file === undefined) throw new Error(`no Kubernetes schema in test/fixtures/kubernetes-schemas for ${key}`)
    let validate = this.#compiled.get(key)
    if (validate === undefined) {
      validate = this.#ajv.compile(readJson(new URL(`kubernetes-schemas/${file}`, FIXTURES)))
      this.#compiled.set(key, validate)
    }
    return validate
  }
}

/** The Compose Specification validator (draft-07). */
export function composeValidator(): ValidateFunction {
  const schema = readJson(new URL('compose-schema/compose-spec.json', FIXTURES)) as Record<string, unknown>
  // ajv has no meta-schema under the https URI this file names; the schema itself is draft-07.
  delete schema.$schema
  return createSchemaValidator().compile(schema)
}

function readJson(url: URL): object {
  return JSON.parse(readFileSync(url, 'utf8')) as object
}
