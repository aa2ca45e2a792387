import type { JSONSchemaType } from 'ajv'
import type { K8sObject } from './manifest-schemas.js'
import { createSchemaValidator } from './manifest-schemas.js'
import { matches, ofKind } from './kubernetes-references.js'

interface ServiceMonitorShape {
  apiVersion: 'monitoring.coreos.com/v1'
  kind: 'ServiceMonitor'
  metadata: { name: string }
  spec: {
    selector: { matchLabels: Record<string, string> }
    endpoints: Array<{ port: string; path: string; interval?: string }>
  }
}

/**
 * The Prometheus Operator ships its CRD schema with the operator, not as a standalone file, so
 * this is the part of it our manifest uses, kept strict about what we rely on.
 */
export const SERVICE_MONITOR_SCHEMA: JSONSchemaType<ServiceMonitorShape> = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', const: 'monitoring.coreos.com/v1' },
    kind: { type: 'string', const: 'ServiceMonitor' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    spec: {
      type: 'object',
      required: ['selector', 'endpoints'],
      additionalProperties: false,
      properties: {
        selector: {
          type: 'object',
          required: ['matchLabels'],
          additionalProperties: false,
          properties: { matchLabels: { type: 'object', minProperties: 1, required: [], additionalProperties: { type: 'string' } } },
        },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['port', 'path'],
            additionalProperties: false,
            properties: {
              port: { type: 'string', minLength: 1 },
              path: { type: 'string', pattern: '^/' },
              interval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$', nullable: true },
            },
          },
        },
      },
    },
  },
}

/** Shape errors, then whether the selected Services exist and carry every endpoint's port. */
export function serviceMonitorProblems(objects: K8sObject[]): string[] {
  const validate = createSchemaValidator().compile(SERVICE_MONITOR_SCHEMA)
  return ofKind(objects, 'ServiceMonitor').flatMap((monitor) => {
    if (!validate(monitor)) return (validate.errors ?? []).map((e) => `ServiceMonitor ${monitor.metadata?.name}${e.instancePath} ${e.message}`)
    const services = ofKind(objects, 'Service').filter((s) => matches(monitor.spec.selector.matchLabels, s.metadata.labels))
    if (services.length === 0) return [`ServiceMonitor ${monitor.metadata.name}: selector matches no Service's labels`]
    return services.flatMap((service) =>
      (monitor.spec.endpoints as Array<{ port: string }>)
        .filter((endpoint) => !(service.spec?.ports ?? []).some((p: any) => p.name === endpoint.port))
        .map((endpoint) => `ServiceMonitor ${monitor.metadata.name}: Service ${service.metadata.name} has no port named '${endpoint.port}'`),
    )
  })
}
